import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { startEngine, type TestEngine } from '../harness/engine';
import { startTargets, type Targets } from '../harness/targets';

/**
 * Temporal taken away from the API and the worker alike: the engine runs on a Temporal dev
 * server of this file's own, which the test stops and starts again on the same port with the
 * same SQLite file (the run's shared server cannot be stopped). Webhooks that arrive meanwhile
 * are answered once stored; once Temporal is back every one reaches its leaver, exactly once.
 */
const workers = 50;
const ids = Array.from({ length: workers }, (_, i) => String(31_001 + i));
const login = (id: string) => `outage.${id}@acme.test`;

let dir: string;
let binary: string;
let port: number;
let temporal: DevServer | undefined;
let targets: Targets;
let engine: TestEngine;

const startTemporal = async () => (temporal = await startDevServer({ binary, port, dbFile: join(dir, 'temporal.db') }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-outage-'));
  const cli = await resolveTemporalCli({ log: () => undefined });
  if (cli.source === 'sdk-download') throw new Error('this test restarts a Temporal dev server and needs the Temporal CLI');
  binary = cli.path;
  port = await freePort();
  await startTemporal();
  targets = await startTargets();
  targets.seedGroups(['everyone']);
  for (const id of ids) targets.seedWorker(login(id), ['everyone']);
  engine = await startEngine({
    yaml: targets.systemsYaml,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
    temporalAddress: temporal!.address,
    workflowBundlePath: inject('workflowBundlePath'),
    intake: { dispatchTimeoutMs: 2000, initialBackoffMs: 200, maxBackoffMs: 2000, idleMs: 200 },
  });
}, 180_000);

afterAll(async () => {
  await engine?.close();
  await temporal?.stop();
  await targets?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('intake while Temporal is down', () => {
  it('50 terminations posted while Temporal is stopped are all answered 202, and each leaver runs exactly once when it is back', async () => {
    await temporal!.stop();
    temporal = undefined;

    const health = await fetch(`${engine.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', checks: { database: { ok: true }, temporal: { ok: false } } });

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const answers = await Promise.all(ids.map((id) => postBambooWebhook(engine.url, terminationDelivery(id, login(id), yesterday))));
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 202));
    for (const [i, answer] of answers.entries()) {
      expect(answer.body).toMatchObject({ accepted: 1, events: [{ employeeId: ids[i], kind: 'terminate', status: 'received' }] });
      expect((answer.body.events as { workflowIds: string[] }[])[0]!.workflowIds).toHaveLength(2);
    }
    // Stored, not handed over: Temporal is not there to take them.
    expect(await engine.services.db.query(`SELECT 1 FROM hr_inbox WHERE status = 'dispatched'`).then((r) => r.rows)).toHaveLength(0);
    expect(targets.okta.writes()).toHaveLength(0);

    await startTemporal();
    await vi.waitFor(
      async () => {
        const done = await engine.services.db.query<{ n: string }>(`SELECT count(DISTINCT employee_id) AS n FROM evidence_events WHERE action = 'leaver.sessions_killed'`);
        if (Number(done.rows[0]!.n) < workers) throw new Error(`${done.rows[0]!.n} of ${workers} leavers have killed the sessions`);
      },
      { timeout: 120_000, interval: 500 },
    );

    const started = await engine.services.db.query<{ employee_id: string; n: string }>(
      `SELECT employee_id, count(*) AS n FROM evidence_events WHERE action = 'leaver.started' GROUP BY employee_id`,
    );
    expect(Object.fromEntries(started.rows.map((r) => [r.employee_id, Number(r.n)]))).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    const kills = targets.okta.writes().filter((w) => w.method === 'DELETE' && /\/sessions$/.test(w.path));
    const killsPerUser = new Map<string, number>();
    for (const k of kills) killsPerUser.set(k.path, (killsPerUser.get(k.path) ?? 0) + 1);
    expect(killsPerUser.size).toBe(workers);
    expect([...killsPerUser.values()].every((n) => n === 1)).toBe(true);
    for (const id of ids) {
      expect(targets.okta.sessionsOf(login(id))).toBe(0);
      expect(targets.scim.user(login(id))?.active).toBe(false);
    }
    const pending = await engine.services.db.query(`SELECT 1 FROM hr_inbox WHERE status <> 'dispatched'`);
    expect(pending.rows).toHaveLength(0);
  }, 240_000);
});
