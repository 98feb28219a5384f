import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { EvidenceStore } from '../../src/evidence/store';
import { OrphanStore } from '../../src/orphans/store';

/**
 * The `jml` bin as a user runs it, against a database of the test's own: a schema on
 * DATABASE_URL's server, or an embedded PGlite directory (JML_DATA_DIR) otherwise.
 */
let dir: string;
let env: NodeJS.ProcessEnv;
let openDb: () => Promise<Database>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-cli-'));
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, JML_CONFIG: join(dir, 'jml.config.yaml'), JML_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  await writeFile(join(dir, 'jml.config.yaml'), 'sla: { leaverSessionKill: 60s }\n');
  if (process.env.DATABASE_URL) {
    const schema = `cli_${randomBytes(5).toString('hex')}`;
    openDb = () => openDatabase({ url: process.env.DATABASE_URL, schema });
    const url = new URL(process.env.DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env = { ...base, DATABASE_URL: url.toString() };
  } else {
    openDb = () => openDatabase({ dataDir: join(dir, 'pgdata') });
    env = base;
  }
  const db = await openDb();
  await migrate(db);
  await seedLeaver(new EvidenceStore(db));
  await seedOrphans(new OrphanStore(db));
  await db.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function jml(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/jml.js', ...args], { env: { ...env, ...extraEnv } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function seedLeaver(store: EvidenceStore): Promise<void> {
  const workflowId = 'leaver-bamboohr-77-abc';
  const base = { employeeId: '77', hrSource: 'bamboohr', actorType: 'engine' as const, actorId: 'jml-engine' };
  const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 18, 0, s)).toISOString();
  await store.append({
    ...base,
    stepKey: `${workflowId}:leaver.started`,
    action: 'leaver.started',
    occurredAt: at(0),
    outcome: 'success',
    context: { workflowId, terminationEffectiveAt: at(0), hrEventReceivedAt: at(0), slaSeconds: 60, fullRevokeSlaSeconds: 900, systems: ['okta'] },
  });
  await store.append({ ...base, stepKey: `${workflowId}:kill`, action: 'sessions.kill', system: 'okta', occurredAt: at(3), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: `${workflowId}:killed`, action: 'leaver.sessions_killed', occurredAt: at(3), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: `${workflowId}:disable`, action: 'account.disable', system: 'okta', occurredAt: at(5), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: `${workflowId}:done`, action: 'leaver.completed', occurredAt: at(9), outcome: 'success', context: { workflowId } });
}

/** One orphan in okta from a listing that worked; scim's latest listing failed. */
async function seedOrphans(store: OrphanStore): Promise<void> {
  const at = new Date('2026-03-10T06:00:00Z');
  await store.startRun('orphans-cli', 'okta', at);
  await store.recordOrphans('orphans-cli', 'okta', at, [{ accountId: '00u77', login: 'rae.left@acme.test', hrStatus: 'terminated', reason: 'left', hrSource: 'bamboohr', employeeId: '77', orphanedSince: '2026-03-02T18:00:00.000Z' }]);
  await store.finishRun({ runId: 'orphans-cli', system: 'okta', status: 'succeeded', finishedAt: at.toISOString(), accounts: 10, orphans: 1, newOrphans: 1, resolved: 0 });
  await store.startRun('orphans-cli', 'scim', at);
  await store.finishRun({ runId: 'orphans-cli', system: 'scim', status: 'failed', finishedAt: at.toISOString(), accounts: 0, orphans: 0, newOrphans: 0, resolved: 0, error: 'unavailable: scim: GET /Users answered 503' });
}

describe('jml CLI', () => {
  it('prints the orphan report as CSV, naming on stderr a system whose listing failed', async () => {
    const res = await jml(['report', 'orphans']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('system,accountId,login,lastHrStatus,reason,orphanedSince,orphanedDays,orphanedSeconds,firstSeenAt,lastSeenAt,hrSource,employeeId');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^okta,00u77,rae\.left@acme\.test,terminated,left,2026-03-02T18:00:00\.000Z,\d+,\d+,2026-03-10T06:00:00\.000Z,2026-03-10T06:00:00\.000Z,bamboohr,77$/);
    expect(res.stderr).toContain('jml: scim: the latest listing (2026-03-10T06:00:00.000Z) failed: unavailable: scim: GET /Users answered 503');
    expect(res.stderr).not.toContain('acme.test');
  });

  it('writes the orphan report as JSON with --out, and refuses a format it has not', async () => {
    const out = join(dir, 'orphans.json');
    const res = await jml(['report', 'orphans', '--format', 'json', '--out', out]);
    expect(res.code).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as { summary: unknown; orphans: { login: string }[] };
    expect(report.summary).toEqual({ count: 1, bySystem: { okta: 1 }, failedSystems: ['scim'] });
    expect(report.orphans.map((o) => o.login)).toEqual(['rae.left@acme.test']);
    const bad = await jml(['report', 'orphans', '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')[0]).toBe('jml: unknown format "pdf": use csv or json');
  });

  it('prints the offboarding report as CSV', async () => {
    const res = await jml(['report', 'offboarding', '--from', '2026-03-01', '--to', '2026-03-31', '--format', 'csv']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\r\n');
    expect(lines[0]).toMatch(/^employeeId,hrSource,terminationEffectiveAt,hrEventReceivedAt,sessionsKilledAt,accessRevokedAt,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^77,bamboohr,2026-03-02T18:00:00.000Z,/);
  });

  it('writes the JSON report to a file with --out', async () => {
    const out = join(dir, 'report.json');
    const res = await jml(['report', 'offboarding', '--from', '2026-03-01', '--to', '2026-03-31', '--format', 'json', '--out', out]);
    expect(res.code).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as { summary: { count: number; p50Seconds: number } };
    expect(report.summary).toMatchObject({ count: 1, p50Seconds: 3 });
  });

  it('refuses bad arguments with one line and exit 2', async () => {
    const res = await jml(['report', 'offboarding', '--from', '2026-13-01', '--to', '2026-03-31']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')[0]).toBe('jml: from: 2026-13-01 is not a calendar date');
  });

  it('writes the report as PDF to --out, and refuses pdf without --out', async () => {
    const out = join(dir, 'report.pdf');
    const res = await jml(['report', 'offboarding', '--from', '2026-03-01', '--to', '2026-03-31', '--format', 'pdf', '--out', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const pdf = await readFile(out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const bare = await jml(['report', 'offboarding', '--from', '2026-03-01', '--to', '2026-03-31', '--format', 'pdf']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr.trim()).toBe('jml: --format pdf needs --out FILE');
  });

  it('exports an evidence package, and refuses a directory that is not empty', async () => {
    const out = join(dir, 'evidence-2026-03');
    const res = await jml(['evidence', 'export', '--from', '2026-03-01', '--to', '2026-03-31', '--out', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/evidence chain intact: 5 events verified/);
    expect((await readdir(out)).sort()).toEqual(['evidence.jsonl', 'manifest.json', 'offboarding.csv']);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { events: number; chain: { ok: boolean } };
    expect(manifest).toMatchObject({ events: 5, chain: { ok: true } });
    const again = await jml(['evidence', 'export', '--from', '2026-03-01', '--to', '2026-03-31', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`jml: --out ${out} is not empty (3 entries): give a new or empty directory`);
  });

  it('verifies the evidence chain, and fails on a tampered row', async () => {
    const ok = await jml(['evidence', 'verify']);
    expect(ok.code).toBe(0);
    const db = await openDb();
    await db.transaction(async (tx) => {
      await tx.query('ALTER TABLE evidence_events DISABLE TRIGGER USER');
      await tx.query("UPDATE evidence_events SET outcome = 'failure' WHERE seq = 2");
      await tx.query('ALTER TABLE evidence_events ENABLE TRIGGER USER');
    });
    await db.close();
    const bad = await jml(['evidence', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/edited/);
  });

  it('stops on a bad config value with one line naming the key', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'leaver:\n  cutoffLocalTime: "6pm"\n');
    const res = await jml(['evidence', 'verify'], { JML_CONFIG: file });
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(`jml: ${file}: leaver.cutoffLocalTime: must be HH:MM (24h)`);
  });
});
