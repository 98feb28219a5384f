import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { EvidenceStore } from '../../src/evidence/store';
import { OrphanStore } from '../../src/orphans/store';
import { freePort } from '../../src/temporal/dev-server';
import { createTestRoles, type TestRoles } from '../harness/db-roles';

/**
 * The `jml` bin as a user runs it, against a database of the test's own: a schema on
 * DATABASE_URL's server, or an embedded PGlite directory (JML_DATA_DIR) otherwise.
 */
let dir: string;
let env: NodeJS.ProcessEnv;
let openDb: () => Promise<Database>;
let roles: TestRoles | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-cli-'));
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, JML_CONFIG: join(dir, 'jml.config.yaml'), JML_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  await writeFile(join(dir, 'jml.config.yaml'), 'sla: { leaverSessionKill: 60s }\n');
  if (process.env.DATABASE_URL) {
    // As in production: migrated by the owner, every command connecting as the app role.
    roles = await createTestRoles('cli');
    openDb = () => openDatabase({ url: roles!.ownerUrl });
    env = { ...base, DATABASE_URL: roles.appUrl };
  } else {
    openDb = () => openDatabase({ dataDir: join(dir, 'pgdata') });
    env = base;
  }
  const db = await openDb();
  await migrate(db, roles ? { appRole: roles.app } : {});
  await seedLeaver(new EvidenceStore(db));
  await seedOrphans(new OrphanStore(db));
  await db.close();
});

afterAll(async () => {
  await roles?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A long-running command started until `text` appears in its output, then stopped with SIGTERM; its whole output. */
async function jmlUntil(args: string[], extraEnv: NodeJS.ProcessEnv, text: string, timeoutMs = 90_000, whileRunning?: () => Promise<void>): Promise<string> {
  const child = spawn('node', ['bin/jml.js', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (const deadline = Date.now() + timeoutMs; !output.includes(text); ) {
      if (child.exitCode !== null) throw new Error(`jml ${args.join(' ')} exited ${child.exitCode} before "${text}":\n${output}`);
      if (Date.now() > deadline) throw new Error(`jml ${args.join(' ')}: no "${text}" within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await whileRunning?.();
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return output;
}

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

  it('jml server and jml worker refuse a signing secret shorter than 16 characters, naming the variable, not the value', async () => {
    for (const [name, extra] of [
      ['BAMBOOHR_WEBHOOK_SECRET', {}],
      ['WORKDAY_WEBHOOK_SECRET', {}],
      ['SLACK_SIGNING_SECRET', { SLACK_BOT_TOKEN: 'xoxb-0000-test-bot-token' }],
    ] as const) {
      for (const command of ['server', 'worker']) {
        const res = await jml([command], { ...extra, [name]: 'short-s3cr3t' });
        expect(res.code).toBe(2);
        expect(res.stderr.trim()).toBe(`jml: env: ${name}: must be at least 16 characters`);
        expect(res.stderr).not.toContain('short-s3cr3t');
      }
    }
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
    expect((await readdir(out)).sort()).toEqual(['chain-links.jsonl', 'checkpoints.jsonl', 'evidence.jsonl', 'manifest.json', 'offboarding.csv', 'summary.pdf']);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { events: number; chain: { ok: boolean } };
    expect(manifest).toMatchObject({ events: 5, chain: { ok: true } });
    const again = await jml(['evidence', 'export', '--from', '2026-03-01', '--to', '2026-03-31', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`jml: --out ${out} is not empty (6 entries): give a new or empty directory`);
  });

  it('shows progress on a terminal and none when piped', async () => {
    const onTerminal = await new Promise<string>((resolve) => {
      // script(1) gives the command a real pseudo-terminal, as an operator's shell would.
      execFile('script', ['-qec', `node bin/jml.js evidence verify`, '/dev/null'], { env }, (_err, stdout) => resolve(stdout));
    });
    // Each update rewrites the line: carriage return, erase-line (ESC [2K), then the count.
    expect(onTerminal).toMatch(new RegExp(`\r${String.fromCharCode(27)}\\[2Kevidence verified: \\d+ of \\d+ \\(\\d+%\\)`));
    expect(onTerminal).toMatch(/evidence chain (intact|BROKEN)/);
    const piped = await jml(['evidence', 'verify']);
    expect(piped.stdout + piped.stderr).not.toContain('evidence verified:');
    expect(piped.stderr).not.toContain('\x1b');
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

  it('prunes nothing while no month of evidence has passed retention, and refuses a value for --dry-run', async () => {
    const res = await jml(['evidence', 'prune', '--dry-run']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toMatch(/^nothing to prune: no month of evidence ended before \S+ \(now − evidence.retention 400d\)$/);
    const bad = await jml(['evidence', 'prune', '--dry-run=yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('jml: --dry-run takes no value');
  });

  it('stops on a bad config value with one line naming the key', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'leaver:\n  cutoffLocalTime: "6pm"\n');
    const res = await jml(['evidence', 'verify'], { JML_CONFIG: file });
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(`jml: ${file}: leaver.cutoffLocalTime: must be HH:MM (24h)`);
  });
});

describe('jml server and jml worker encrypt payloads unless told not to', () => {
  const key = randomBytes(32).toString('base64');

  it('refuse to start without a key, in one line naming the settings', async () => {
    const [server, worker] = await Promise.all([jml(['server']), jml(['worker'])]);
    for (const [name, res] of [['server', server], ['worker', worker]] as const) {
      expect(res.code, res.stderr).toBe(2);
      const line = res.stderr.trim();
      expect(line).not.toContain('\n');
      expect(line).toMatch(new RegExp(`^jml: env: JML_ENCRYPTION_KEY: not set, and jml ${name} stores Temporal payloads`));
      for (const setting of ['JML_ENCRYPTION_KEY ', 'JML_ENCRYPTION_KEYS', 'JML_PAYLOADS_IN_CLEAR=true']) expect(line).toContain(setting);
    }
  });

  it('stop on a key list that is not one, naming the entry and never the key, and on both key settings', async () => {
    const bad = await jml(['server'], { JML_ENCRYPTION_KEYS: `2026-01:${key},${key}` });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^jml: env: JML_ENCRYPTION_KEYS: entry 2: not keyId:base64key;[^\n]*$/);
    expect(bad.stderr).not.toContain(key.slice(0, 12));
    const both = await jml(['worker'], { JML_ENCRYPTION_KEY: key, JML_ENCRYPTION_KEYS: `2026-01:${key}` });
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toMatch(/^jml: env: JML_ENCRYPTION_KEYS: JML_ENCRYPTION_KEY is set too: .*not both$/);
    expect(both.stderr).not.toContain(key.slice(0, 12));
  });

  it('start with JML_PAYLOADS_IN_CLEAR=true and say once that payloads are stored in clear', { timeout: 180_000 }, async () => {
    const clear = { JML_PAYLOADS_IN_CLEAR: 'true', LOG_LEVEL: 'info' };
    // One after the other: with no DATABASE_URL both would open the same PGlite directory.
    const server = await jmlUntil(['server'], { ...clear, PORT: String(await freePort()), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }, 'jml server listening');
    const worker = await jmlUntil(
      ['worker'],
      { ...clear, PORT: '0', TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: `jml-cli-${randomBytes(4).toString('hex')}`, JML_WORKFLOW_BUNDLE: inject('workflowBundlePath') },
      'jml worker running',
    );
    for (const output of [server, worker]) {
      const warnings = output.split('\n').filter((line) => line.includes('stored in clear'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('JML_PAYLOADS_IN_CLEAR=true') });
    }
  });

  it('a worker that encrypts refuses a prebuilt bundle that would write workflow failures in clear', { timeout: 120_000 }, async () => {
    const res = await jml(['worker'], {
      JML_ENCRYPTION_KEY: key,
      PORT: '0',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `jml-cli-${randomBytes(4).toString('hex')}`,
      JML_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    });
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toMatch(/^jml: env: JML_WORKFLOW_BUNDLE: .* bundle it again with `jml bundle --out FILE`$/);
  });
});

describe.runIf(process.env.DATABASE_URL)('jml migrate and the app role (Postgres; PGlite has no roles)', () => {
  it.runIf(process.env.DATABASE_URL)('jml worker serves /metrics on JML_METRICS_PORT: the engine\'s series and the Temporal SDK\'s', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const taskQueue = `cli-metrics-${randomBytes(4).toString('hex')}`;
    let text = '';
    await jmlUntil(
      ['worker'],
      { JML_PAYLOADS_IN_CLEAR: 'true', LOG_LEVEL: 'info', TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, JML_METRICS_PORT: String(port) },
      'jml worker running',
      90_000,
      async () => {
        // The SDK's series appear once its pollers run.
        for (const deadline = Date.now() + 20_000; !text.includes(`task_queue="${taskQueue}"`) && Date.now() < deadline; ) {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          await new Promise((r) => setTimeout(r, 250));
        }
        expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
        // A second worker given the same port still runs (offboarding never waits on metrics) and says why it serves none.
        const second = await jmlUntil(
          ['worker'],
          { JML_PAYLOADS_IN_CLEAR: 'true', LOG_LEVEL: 'info', TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, JML_METRICS_PORT: String(port) },
          'jml worker running',
        );
        expect(second).toContain('worker metrics not served (JML_METRICS_PORT in use?');
        expect(second).toContain('"metrics":"not served"');
      },
    );
    expect(text).toContain('# TYPE jml_evidence_appends_total counter');
    expect(text).toContain('# TYPE jml_connector_requests_total counter');
    expect(text).toMatch(new RegExp(`^temporal_\\w+\\{[^}]*task_queue="${taskQueue}"`, 'm'));
    // The database gauges are the API's to report, once per deployment.
    expect(text).not.toContain('jml_inbox_pending');
  });

  it('server waits for jml migrate, migrate grants the app role, and server and worker refuse the owner', { timeout: 120_000 }, async () => {
    const fresh = await createTestRoles('cli_migrate');
    try {
      const run = { JML_PAYLOADS_IN_CLEAR: 'true', PORT: String(await freePort()), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
      const early = await jml(['server'], { ...run, DATABASE_URL: fresh.appUrl });
      expect(early.code).toBe(2);
      expect(early.stderr.trim()).toMatch(/^jml: database: \d+ migration\(s\) not applied \(first 001_evidence\.sql\): run `jml migrate` [^\n]*$/);

      const roleEnv = { DATABASE_MIGRATION_URL: fresh.ownerUrl, DATABASE_URL: fresh.appUrl };
      const first = await jml(['migrate'], roleEnv);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^applied \d+ migration\(s\): 001_evidence\.sql, /);
      expect(first.stdout).toContain(`evidence_events SELECT/INSERT`);
      expect(first.stdout).toContain(`app role "${fresh.app}" may only read and append evidence`);
      const again = await jml(['migrate'], roleEnv);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^schema current: no migrations to apply\n/);

      for (const command of ['server', 'worker']) {
        const refused = await jml([command], { ...run, DATABASE_URL: fresh.ownerUrl });
        expect(refused.code).toBe(2);
        const line = refused.stderr.trim();
        expect(line).not.toContain('\n');
        expect(line).toMatch(new RegExp(`^jml: env: DATABASE_URL: its role owns evidence_events, so it could change or remove evidence; jml ${command} runs as an app role`));
        expect(line).toContain('jml migrate');
      }
      const [asOwner, asApp] = await Promise.all([jml(['doctor'], { DATABASE_URL: fresh.ownerUrl }), jml(['doctor'], { DATABASE_URL: fresh.appUrl })]);
      expect(asOwner.code).toBe(1);
      expect(asOwner.stdout).toContain("FAIL  database: DATABASE_URL's role owns evidence_events, so it could change evidence");
      expect(asApp.code, asApp.stdout).toBe(0);
      expect(asApp.stdout).toContain('ok    database: schema current; the role may only read and append evidence');
      const started = await jmlUntil(['server'], { ...run, LOG_LEVEL: 'info', DATABASE_URL: fresh.appUrl }, 'jml server listening');
      expect(started).not.toMatch(/could change evidence|DATABASE_MIGRATION_URL/);
    } finally {
      await fresh.drop();
    }
  });
});
