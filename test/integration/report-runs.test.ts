import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { EvidenceStore } from '../../src/evidence/store';
import { runEvidenceVerify } from '../../src/evidence/verify-cli';
import type { EvidenceContext, Outcome } from '../../src/evidence/types';
import { checkKeptRuns, reportFromEvidence, reportFromRuns } from '../../src/reports/report-runs';
import { openTestDatabaseOn, testEngines } from '../harness/db';

/**
 * The report read through the rows kept of settled runs must be the report evidence alone gives,
 * at every moment: as runs settle, as open ones pass their deadlines, as settled ones write again.
 */
const base = Date.UTC(2025, 5, 10, 9, 0, 0);
const t = (s: number) => new Date(base + s * 1000).toISOString();
const window = { from: '2025-06-01T00:00:00.000Z', to: '2025-07-01T00:00:00.000Z' };

describe.each(testEngines)('offboarding report from kept runs (%s)', (engine) => {
  let db: Database;
  let store: EvidenceStore;
  let n = 0;
  const write = (id: string, action: string, at: number, context: EvidenceContext = {}, extra: { system?: string; outcome?: Outcome } = {}) =>
    store.append({
      stepKey: `${id}/${action}/${extra.system ?? ''}/${(n += 1)}`,
      employeeId: id,
      hrSource: 'bamboohr',
      actorType: 'engine',
      actorId: 'leaver',
      action,
      ...(extra.system ? { system: extra.system } : {}),
      occurredAt: t(at),
      outcome: extra.outcome ?? 'success',
      context: { workflowId: `leaver-bamboohr-${id}`, ...context },
    });
  const start = (id: string, effective: number) =>
    write(id, 'leaver.started', effective, {
      hrEventId: `ev-${id}`,
      terminationEffectiveAt: t(effective),
      hrEventReceivedAt: t(effective),
      slaSeconds: 60,
      fullRevokeSlaSeconds: 900,
      systems: ['okta'],
    });
  const finish = async (id: string, at: number) => {
    await write(id, 'sessions.kill', at, {}, { system: 'okta' });
    await write(id, 'account.disable', at + 1, {}, { system: 'okta' });
    await write(id, 'leaver.sessions_killed', at, { sessionsKilledAt: t(at) });
    await write(id, 'leaver.completed', at + 1);
  };
  const bothWays = async (asOfSeconds: number) => {
    const asOf = new Date(base + asOfSeconds * 1000);
    const kept = await reportFromRuns(db, window, asOf, (err) => {
      throw err;
    });
    expect(kept).toEqual(await reportFromEvidence(db, window, asOf));
    return kept;
  };
  const keptRow = async (id: string) =>
    (await db.query<{ settled: boolean }>(`SELECT settled FROM offboarding_report_runs WHERE workflow_id = $1`, [`leaver-bamboohr-${id}`])).rows[0];

  beforeAll(async () => {
    db = await openTestDatabaseOn(engine, 'report_runs');
    store = new EvidenceStore(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('keeps settled runs, works out open and newly written ones, and always agrees with evidence alone', async () => {
    await start('done', 0);
    await finish('done', 20);
    await start('open', 100);
    await start('gone', 200);
    await write('gone', 'leaver.rescinded', 210);
    await start('july', 30 * 86_400);
    await finish('july', 30 * 86_400 + 5);

    let report = await bothWays(130);
    expect(report.summary).toMatchObject({ count: 2, open: 1, rescinded: 1 });
    expect(await keptRow('done')).toMatchObject({ settled: true });
    // Open and inside its SLA: its row changes as time passes, so it is not settled.
    expect(await keptRow('open')).toMatchObject({ settled: false });

    // The open leaver's deadline passes with no new evidence: the kept rows must not hide it.
    report = await bothWays(100_000);
    expect(report.leavers.find((l) => l.employeeId === 'open')).toMatchObject({ withinSla: false });

    // A settled run writes again (a late failure): worked out afresh, not read from the kept row.
    await write('done', 'entitlement.revoke', 100_001, { reason: 'peer down' }, { system: 'okta', outcome: 'failure' });
    report = await bothWays(100_002);
    expect(report.leavers.find((l) => l.employeeId === 'done')?.exceptions.join(' ')).toContain('entitlement.revoke okta: failure');

    // The open one finishes; a new leaver arrives; the reschedule of another brings it into the window.
    await finish('open', 100_010);
    await start('late', 100_020);
    await write('july', 'leaver.rescheduled', 100_030, { terminationEffectiveAt: t(1_000), hrEventReceivedAt: t(1_000) });
    report = await bothWays(200_000);
    expect(report.summary).toMatchObject({ count: 4, rescinded: 1 });
    expect(await checkKeptRuns(db)).toMatchObject({ differing: [] });
  });

  it('reads evidence alone for a moment before rows were judged, and catches a kept row changed outside the engine', async () => {
    const earlier = await reportFromRuns(db, window, new Date(base + 150 * 1000));
    expect(earlier).toEqual(await reportFromEvidence(db, window, new Date(base + 150 * 1000)));

    await db.query(`UPDATE offboarding_report_runs SET row = jsonb_set(row::jsonb, '{withinSla}', 'true')::json WHERE workflow_id = 'leaver-bamboohr-open'`);
    await db.query(`UPDATE offboarding_report_runs SET covered_seq = 999999 WHERE workflow_id = 'leaver-bamboohr-open'`);
    const { differing } = await checkKeptRuns(db);
    expect(differing).toEqual(['leaver-bamboohr-open']);
    // jml evidence verify says so, fails, and has the next report work every run out again.
    const lines: string[] = [];
    expect(await runEvidenceVerify(db, (l) => lines.push(l))).toBe(1);
    expect(lines).toContain('offboarding report row leaver-bamboohr-open: differs from its evidence (changed outside the engine)');
    await bothWays(300_000);
    const again: string[] = [];
    expect(await runEvidenceVerify(db, (l) => again.push(l))).toBe(0);
    expect(again.at(-1)).toMatch(/^offboarding report rows: \d+ kept, each as its evidence gives it$/);
  });
});
