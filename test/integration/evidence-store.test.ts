import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { genesisHash } from '../../src/evidence/hash';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceInput } from '../../src/evidence/types';
import { runEvidenceVerify } from '../../src/evidence/verify-cli';
import { runReportOffboarding } from '../../src/reports/report-cli';
import { openTestDatabase } from '../harness/db';

let db: Database;
let store: EvidenceStore;

beforeEach(async () => {
  db = await openTestDatabase('evidence');
  store = new EvidenceStore(db);
});

afterEach(async () => {
  await db.close();
});

function input(n: number, extra: Partial<EvidenceInput> = {}): EvidenceInput {
  return {
    stepKey: `leaver-bamboohr-${n}-ev:kill:okta`,
    employeeId: `bamboohr-${n % 3}`,
    hrSource: 'bamboohr',
    actorType: 'engine',
    actorId: 'leaver-workflow',
    action: 'sessions.kill',
    system: 'okta',
    occurredAt: new Date(Date.UTC(2024, 4, 1, 10, 0, n)).toISOString(),
    where: 'okta.example',
    outcome: 'success',
    context: { workflowId: `leaver-bamboohr-${n}-ev`, runId: 'r1', zeta: { b: [1, 2.5], a: 'x' }, alpha: true },
    ...extra,
  };
}

async function appendMany(count: number): Promise<void> {
  for (let n = 1; n <= count; n++) await store.append(input(n));
}

/** Changes rows as a superuser could: with the append-only triggers switched off. */
async function tamper(...statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE evidence_events DISABLE TRIGGER USER');
    for (const statement of statements) await tx.query(statement);
    await tx.query('ALTER TABLE evidence_events ENABLE TRIGGER USER');
  });
}

async function problems(): Promise<string[]> {
  const result = await store.verify({ pageSize: 4 });
  return result.problems.map((p) => `${p.seq}:${p.problem}`);
}

describe('EvidenceStore', () => {
  it('appends a hash chain from genesis, timestamps in millisecond ISO UTC', async () => {
    const first = await store.append(input(1, { occurredAt: '2024-05-01T12:00:00.123456+02:00' }));
    const second = await store.append(input(2, { system: undefined, where: undefined }));
    expect(first).toMatchObject({ seq: 1, prevHash: genesisHash, occurredAt: '2024-05-01T10:00:00.123Z' });
    expect(first.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(second.system).toBeUndefined();
    expect(second.where).toBeUndefined();
    expect(await store.forEmployee('bamboohr-1')).toEqual([first]);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 2, head: { seq: 2, hash: second.hash } });
  });

  it('writes a step once: a second append with the same stepKey returns the first record', async () => {
    const first = await store.append(input(1));
    const again = await store.append(input(1, { outcome: 'failure', occurredAt: '2024-06-01T00:00:00Z' }));
    expect(again).toEqual(first);
    const count = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM evidence_events');
    expect(Number(count.rows[0]?.n)).toBe(1);
  });

  it('tells a listener of the row as stored: a retry asking for another outcome is told the first', async () => {
    const told: EvidenceInput[] = [];
    const listening = new EvidenceStore(db, { onAppend: (outcome, _seconds, event) => void (outcome === 'stored' && told.push(event)) });
    const first = await listening.append(input(1, { outcome: 'skipped' }));
    await listening.append(input(1));
    expect(told.map((e) => e.outcome)).toEqual(['skipped', 'skipped']);
    expect(told[1]).toEqual(first);
  });

  it('keeps a valid chain under 50 concurrent appends, and one row for concurrent retries', async () => {
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(input(i + 1))));
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const retries = await Promise.all(Array.from({ length: 10 }, () => store.append(input(99))));
    expect(new Set(retries.map((r) => r.seq)).size).toBe(1);
    expect(await store.verify({ pageSize: 7 })).toMatchObject({ ok: true, checked: 51, problemCount: 0 });
  });

  it('lists events by time window and action, and by workflow', async () => {
    await appendMany(5);
    await store.append(input(6, { action: 'account.disable', stepKey: 'disable-6' }));
    const window = await store.range({ from: '2024-05-01T10:00:02Z', to: '2024-05-01T10:00:05Z' });
    expect(window.map((r) => r.seq)).toEqual([2, 3, 4]);
    const disables = await store.range({ from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z', actions: ['account.disable'] });
    expect(disables.map((r) => r.stepKey)).toEqual(['disable-6']);
    const runs = await store.forWorkflows(['leaver-bamboohr-4-ev', 'leaver-bamboohr-2-ev']);
    expect(runs.map((r) => r.seq)).toEqual([2, 4]);
  });

  it('is refused UPDATE, DELETE and TRUNCATE by the database', async () => {
    await appendMany(2);
    await expect(db.query(`UPDATE evidence_events SET outcome = 'failure' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.query('DELETE FROM evidence_events WHERE seq = 2')).rejects.toThrow(/append-only: DELETE/);
    await expect(db.query('TRUNCATE evidence_events')).rejects.toThrow(/append-only: TRUNCATE/);
    expect((await store.verify()).checked).toBe(2);
  });
});

describe('evidence verify', () => {
  it('passes an intact chain and exits 0', async () => {
    await appendMany(10);
    const lines: string[] = [];
    expect(await runEvidenceVerify(db, (line) => lines.push(line))).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^evidence chain intact: 10 events verified; head seq 10 hash [0-9a-f]{64}$/);
  });

  it('detects an edited row', async () => {
    await appendMany(10);
    await tamper(`UPDATE evidence_events SET outcome = 'failure' WHERE seq = 5`);
    expect(await problems()).toEqual(['5:edited']);
    const lines: string[] = [];
    expect(await runEvidenceVerify(db, (line) => lines.push(line))).toBe(1);
    expect(lines[0]).toMatch(/^seq 5: edited: /);
    expect(lines.at(-1)).toMatch(/^evidence chain BROKEN: 1 problem/);
  });

  it('detects an edit below a millisecond and an edited context', async () => {
    await appendMany(10);
    await tamper(
      `UPDATE evidence_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = 3`,
      `UPDATE evidence_events SET context = jsonb_set(context, '{runId}', '"r2"') WHERE seq = 7`,
    );
    expect(await problems()).toEqual(['3:edited', '7:edited']);
  });

  it('detects a deleted row', async () => {
    await appendMany(10);
    await tamper('DELETE FROM evidence_events WHERE seq = 5');
    expect(await problems()).toEqual(['6:deleted']);
  });

  it('detects reordered rows', async () => {
    await appendMany(10);
    await tamper(
      'UPDATE evidence_events SET seq = 1000 WHERE seq = 5',
      'UPDATE evidence_events SET seq = 5 WHERE seq = 6',
      'UPDATE evidence_events SET seq = 6 WHERE seq = 1000',
    );
    const found = await problems();
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.endsWith(':reordered'))).toBe(true);
    expect(found).toContain('5:reordered');
  });
});

describe('offboarding report on stored evidence', () => {
  it('renders JSON and CSV from a leaver run', async () => {
    const workflowId = 'leaver-bamboohr-7-ev1';
    const base = { employeeId: 'bamboohr-7', hrSource: 'bamboohr', actorType: 'engine' as const, actorId: 'leaver' };
    await store.append({
      ...base,
      stepKey: `${workflowId}:started`,
      action: 'leaver.started',
      occurredAt: '2024-05-10T09:00:00Z',
      outcome: 'success',
      context: {
        workflowId,
        hrEventId: 'ev1',
        // Received after it took effect: the clock starts at receipt.
        terminationEffectiveAt: '2024-05-09T18:00:00Z',
        hrEventReceivedAt: '2024-05-10T09:00:00Z',
        slaSeconds: 60,
        fullRevokeSlaSeconds: 900,
        systems: ['okta'],
      },
    });
    await store.append({ ...base, stepKey: `${workflowId}:kill:okta`, action: 'sessions.kill', system: 'okta', occurredAt: '2024-05-10T09:00:12Z', outcome: 'success', context: { workflowId } });
    await store.append({ ...base, stepKey: `${workflowId}:killed`, action: 'leaver.sessions_killed', occurredAt: '2024-05-10T09:00:12Z', outcome: 'success', context: { workflowId } });
    await store.append({ ...base, stepKey: `${workflowId}:disable:okta`, action: 'account.disable', system: 'okta', occurredAt: '2024-05-10T09:01:00Z', outcome: 'success', context: { workflowId } });
    await store.append({ ...base, stepKey: `${workflowId}:completed`, action: 'leaver.completed', occurredAt: '2024-05-10T09:02:00Z', outcome: 'success', context: { workflowId } });

    let json = '';
    const args = { from: '2024-05-01', to: '2024-05-09', format: 'json' };
    expect(await runReportOffboarding(db, args, (text) => (json += text))).toBe(0);
    const report = JSON.parse(json) as { to: string; summary: unknown; leavers: Record<string, unknown>[] };
    expect(report.to).toBe('2024-05-10T00:00:00.000Z');
    expect(report.summary).toEqual({ count: 1, withinSlaShare: 1, p50Seconds: 12, p95Seconds: 12, maxSeconds: 12, open: 0, held: 0, aborted: 0, rescinded: 0 });
    expect(report.leavers[0]).toMatchObject({ employeeId: 'bamboohr-7', secondsToSessionsKilled: 12, secondsToFullRevoke: 120, withinSla: true });

    let csv = '';
    await runReportOffboarding(db, { ...args, format: 'csv' }, (text) => (csv += text));
    expect(csv.split('\r\n')[1]).toMatch(/^bamboohr-7,bamboohr,2024-05-09T18:00:00.000Z,2024-05-10T09:00:00.000Z,/);

    let empty = '';
    await runReportOffboarding(db, { from: '2024-05-10', to: '2024-05-31', format: 'json' }, (text) => (empty += text));
    expect(JSON.parse(empty)).toMatchObject({ summary: { count: 0, open: 0, withinSlaShare: null } });
    await expect(runReportOffboarding(db, { ...args, format: 'pdf' }, () => undefined)).rejects.toThrow('--format pdf needs --out FILE');
  });
});
