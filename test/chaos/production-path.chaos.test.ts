import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyResult } from '../../src/evidence/types';
import { securityChannel, startChaosWorld, type ChaosWorld } from '../harness/chaos-world';
import { deliverAll, deliverTermination, employeeIds, evidenceAnomalies, revocationsMissed, seedLeavers, waitAllCompleted, type Delivery } from '../harness/leaver-batch';
import { auditorToken } from '../harness/test-engine';
import { report, seconds, sizes } from './sizes';
import { startWorkerKiller } from './worker-killer';

/**
 * The production path under failure: `jml server` and two `jml worker` processes, a Temporal
 * dev server on its own SQLite file and a private PostgreSQL cluster, each killed or stopped
 * while leavers are in flight. Every leaver must complete, every step's evidence must be there
 * exactly once, and the systems must show the access gone.
 */
let world: ChaosWorld;
const started = Date.now();

beforeAll(async () => {
  world = await startChaosWorld({ label: 'prod', sessionKillSla: sizes.sessionKillSla, latencyMs: 20 });
  report('start-up', { ms: Date.now() - started, workers: world.workers.length });
}, 300_000);

afterAll(async () => {
  await world?.close();
});

async function expectAllDone(ids: string[]): Promise<void> {
  expect(await evidenceAnomalies(world.db, ids)).toEqual([]);
  expect(revocationsMissed(world.targets, ids)).toEqual([]);
}

async function verifyChain(): Promise<VerifyResult> {
  const res = await fetch(`${world.url}/api/evidence/verify`, { headers: { authorization: `Bearer ${auditorToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as VerifyResult;
}

const statusCounts = (deliveries: Iterable<Delivery>) => {
  const counts: Record<string, number> = {};
  for (const d of deliveries) for (const s of d.statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
};

describe('chaos on the production path', () => {
  it(`(a) ${sizes.workerKills.leavers} leavers while a random worker is SIGKILLed every few seconds and restarted`, async () => {
    const ids = employeeIds(10_001, sizes.workerKills.leavers);
    seedLeavers(world.targets, ids);
    const t0 = Date.now();
    const killer = startWorkerKiller({ workers: world.workers, start: world.startWorker, everyMs: sizes.workerKills.everyMs, maxKills: sizes.workerKills.kills });
    let outcome: Awaited<ReturnType<typeof killer.stop>> | undefined;
    try {
      const deliveries = await deliverAll(world.url, ids, { concurrency: 4, deadline: Date.now() + 120_000 });
      expect([...deliveries.values()].every((d) => d.accepted)).toBe(true);
      // In the reduced form, keep killing until the few kills are done.
      const enough = () => killer.kills >= Math.min(sizes.workerKills.kills, 2);
      const completeMs = await waitAllCompleted(world.db, ids, 420_000);
      while (!enough() && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 500));
      outcome = await killer.stop();
      // A step in flight on a killed worker waits out its start-to-close timeout before it is retried.
      const breaches = await world.db.query<{ n: string }>(`SELECT count(*) AS n FROM evidence_events WHERE action = 'leaver.sla_breach' AND employee_id = ANY($1)`, [ids]);
      report('(a) worker kills', {
        leavers: ids.length,
        kills: outcome.kills,
        workerStartupMs: outcome.startupMs,
        completeMs,
        totalMs: Date.now() - t0,
        slaBreaches: Number(breaches.rows[0]!.n),
        deliveries: statusCounts(deliveries.values()),
      });
    } finally {
      outcome ??= await killer.stop();
    }
    expect(outcome.failures).toEqual([]);
    expect(outcome.kills).toBeGreaterThan(0);
    await expectAllDone(ids);
  }, 600_000);

  it(`(b) Postgres stopped for ${sizes.postgres.outageMs / 1000}s mid-run: deliveries meanwhile get 503, their retries are taken, nothing is lost`, async () => {
    const ids = employeeIds(20_001, sizes.postgres.leavers);
    seedLeavers(world.targets, ids);
    const half = Math.ceil(ids.length / 2);
    const t0 = Date.now();
    const before = await deliverAll(world.url, ids.slice(0, half), { concurrency: 4, deadline: Date.now() + 60_000 });
    await world.pg.stop();
    const down = Date.now();
    // Deliveries while the database is away: answered, never 202, and sent again as BambooHR does.
    const during = ids.slice(half).map((id) => deliverTermination(world.url, id, Date.now() + 120_000, 1000));
    await new Promise((r) => setTimeout(r, sizes.postgres.outageMs));
    await world.pg.start();
    const outageMs = Date.now() - down;
    const after = await Promise.all(during);
    const completeMs = await waitAllCompleted(world.db, ids, 300_000);
    const retried = after.filter((d) => d.statuses.length > 1).length;
    report('(b) postgres outage', { leavers: ids.length, outageMs, completeMs, totalMs: Date.now() - t0, retried, before: statusCounts(before.values()), during: statusCounts(after) });

    expect(world.server.running).toBe(true);
    expect(world.workers.every((w) => w.running)).toBe(true);
    for (const d of after) {
      expect(d.accepted).toBe(true);
      // Before it was accepted, the only answer was 503: the event could not be made durable.
      expect(d.statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
    }
    expect(after.some((d) => d.statuses[0] === 503)).toBe(true);
    await expectAllDone(ids);
  }, 600_000);

  it(`(c) the Temporal dev server SIGKILLed mid-run and restarted on its database file after ${sizes.temporal.outageMs / 1000}s`, async () => {
    const ids = employeeIds(30_001, sizes.temporal.leavers);
    seedLeavers(world.targets, ids);
    const half = Math.ceil(ids.length / 2);
    const t0 = Date.now();
    const first = await deliverAll(world.url, ids.slice(0, half), { concurrency: 4, deadline: Date.now() + 60_000 });
    await world.killTemporal();
    const down = Date.now();
    // The API keeps taking webhooks while Temporal is away: stored, answered 202, handed over later.
    const second = await deliverAll(world.url, ids.slice(half), { concurrency: 4, deadline: Date.now() + 60_000 });
    const remaining = sizes.temporal.outageMs - (Date.now() - down);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    await world.startTemporal();
    const outageMs = Date.now() - down;
    const completeMs = await waitAllCompleted(world.db, ids, 300_000);
    report('(c) temporal killed', { leavers: ids.length, outageMs, completeMs, totalMs: Date.now() - t0, first: statusCounts(first.values()), whileDown: statusCounts(second.values()) });

    expect([...second.values()].every((d) => d.statuses.length === 1 && d.accepted)).toBe(true);
    expect(world.server.running).toBe(true);
    expect(world.workers.every((w) => w.running)).toBe(true);
    await expectAllDone(ids);
  }, 600_000);

  it(`(d) the SCIM system answers 503 for ${sizes.scim.outageMs / 1000}s: Okta finishes within the SLA, SCIM after, the breach recorded and alerted`, async () => {
    const ids = employeeIds(40_001, sizes.scim.leavers);
    seedLeavers(world.targets, ids);
    const slaMs = seconds(sizes.sessionKillSla) * 1000;
    const t0 = Date.now();
    world.targets.scim.failFor(sizes.scim.outageMs, 503);
    const outageEnds = Date.now() + sizes.scim.outageMs;
    const deliveries = await deliverAll(world.url, ids, { concurrency: 4, deadline: Date.now() + 60_000 });
    expect([...deliveries.values()].every((d) => d.accepted)).toBe(true);
    const completeMs = await waitAllCompleted(world.db, ids, sizes.scim.outageMs + 240_000);

    const { rows } = await world.db.query<{ employee_id: string; step: string; at: Date; outcome: string }>(
      `SELECT employee_id, action || coalesce('@' || system, '') AS step, occurred_at AS at, outcome
         FROM evidence_events WHERE employee_id = ANY($1) AND outcome <> 'failure'`,
      [ids],
    );
    const at = (id: string, step: string) => rows.find((r) => r.employee_id === id && r.step === step)?.at.getTime();
    const oktaDoneMs: number[] = [];
    for (const id of ids) {
      const received = at(id, 'hr_event.received')!;
      const oktaDone = Math.max(at(id, 'sessions.kill@okta')!, at(id, 'account.disable@okta')!, at(id, 'entitlements.revoke_all@okta')!);
      oktaDoneMs.push(oktaDone - received);
      expect(oktaDone - received).toBeLessThan(slaMs);
      expect(at(id, 'account.disable@aws')!).toBeGreaterThanOrEqual(outageEnds - 1000);
      expect(rows.filter((r) => r.employee_id === id && r.step === 'leaver.sla_breach' && r.outcome === 'sla_breach')).toHaveLength(1);
    }
    const alerts = world.slack.messages().filter((m) => m.channel === securityChannel && m.text.includes('SLA breach') && ids.some((id) => m.text.includes(id)));
    const alerted = ids.filter((id) => alerts.some((m) => m.text.includes(id)));
    const failures = await world.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM evidence_events WHERE employee_id = ANY($1) AND outcome = 'failure' AND system = 'aws'`,
      [ids],
    );
    report('(d) scim 503', { leavers: ids.length, outageMs: sizes.scim.outageMs, slaMs, completeMs, totalMs: Date.now() - t0, oktaDoneMaxMs: Math.max(...oktaDoneMs), breachAlerts: alerts.length, failureEvidence: Number(failures.rows[0]!.n) });
    expect(alerted).toEqual(ids);
    await expectAllDone(ids);
    expect(await evidenceAnomalies(world.db, ids, ['leaver.sla_breach'])).toEqual([]);
  }, 900_000);

  it('leaves an evidence chain that verifies', async () => {
    const verify = await verifyChain();
    report('evidence', { checked: verify.checked, ok: verify.ok, suiteMs: Date.now() - started });
    expect(verify.ok).toBe(true);
    // Workers killed and restarted along the way still signed the head: once a checkpoint covers
    // it, the chain verifies against what the directory sink received.
    let last = { code: -1, stdout: '', stderr: '' };
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 1000))) {
      last = await world.jml(['evidence', 'verify', '--checkpoints', world.checkpointsDir]);
      if (last.code === 0 && !last.stdout.includes('not yet anchored')) break;
    }
    expect(last.stderr).toBe('');
    expect(last.stdout).toMatch(/checkpoints verified: \d+ checkpoint\(s\) match the chain; latest seq (\d+)/);
    expect(last.stdout).not.toContain('not yet anchored');
    expect(last.code).toBe(0);
  }, 120_000);
});
