/**
 * Outage benchmark: while one target system answers 503 for a minute, how long do the other
 * system's leaver steps take? N signed BambooHR terminations are posted at once (one webhook
 * each) with the SCIM server down for --outage seconds (default 60) and Okta answering every
 * request after 150 ms. Measured per leaver from the start of its webhook POST, with the times
 * the engine's own steps recorded as evidence: Okta sessions killed, Okta access fully revoked,
 * SCIM sessions ended (its account disabled) once the outage is over.
 */
import { parseArgs } from 'node:util';
import { postBambooWebhook, terminationDelivery } from '../test/harness/bamboohr';
import { UsageError, writeResult, type Benchmark } from './common';
import { latencyMs } from './options';
import { idSource, measuredWith, withRig } from './rig';
import { summarise } from './stats';

function optionsOf(args: string[]): { n: number; outageS: number } {
  try {
    const { values } = parseArgs({ args, options: { n: { type: 'string', default: '20' }, outage: { type: 'string', default: '60' } }, strict: true, allowPositionals: false });
    const n = Number(values.n);
    const outageS = Number(values.outage);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw new UsageError('--n takes a whole number 1-500');
    if (!Number.isInteger(outageS) || outageS < 1 || outageS > 600) throw new UsageError('--outage takes whole seconds 1-600');
    return { n, outageS };
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

async function run(args: string[]): Promise<void> {
  const { n, outageS } = optionsOf(args);
  const terminationDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  await withRig({ name: 'outage', n, config: 'sla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n' }, async (rig) => {
    const { log, engine, targets } = rig;
    const workers = Array.from({ length: n }, idSource(800_000, 'bench.outage'));
    for (const w of workers) targets.seedWorker(w.login, ['engineering']);
    log(`SCIM server down for ${outageS} s; posting ${n} terminations`);
    targets.scim.failFor(outageS * 1000, 503);
    const outageEndsAt = Date.now() + outageS * 1000;
    const posted = new Map<string, number>();
    await Promise.all(
      workers.map(async (w) => {
        posted.set(w.employeeId, Date.now());
        const res = await postBambooWebhook(engine.url, terminationDelivery(w.employeeId, w.login, terminationDate));
        if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      }),
    );
    const deadline = Date.now() + (outageS + 180) * 1000;
    for (;;) {
      const done = await Promise.all(workers.map(async (w) => (await engine.services.evidence.forEmployee(w.employeeId)).some((e) => e.action === 'leaver.completed')));
      if (done.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('leavers not completed within the outage plus 3 minutes');
      await new Promise((r) => setTimeout(r, 500));
    }
    const oktaKill: number[] = [];
    const oktaRevoke: number[] = [];
    const scimEnd: number[] = [];
    for (const w of workers) {
      const evidence = await engine.services.evidence.forEmployee(w.employeeId);
      const at = (system: string, action: string) => Date.parse(evidence.find((e) => e.system === system && e.action === action && e.outcome === 'success')!.occurredAt) - posted.get(w.employeeId)!;
      oktaKill.push(at('okta', 'sessions.kill'));
      oktaRevoke.push(at('okta', 'entitlements.revoke_all'));
      scimEnd.push(at('aws', 'account.disable'));
    }
    const afterOutage = scimEnd.map((ms, i) => ms - (outageEndsAt - posted.get(workers[i]!.employeeId)!));
    const result = {
      benchmark: 'outage',
      definition: `N terminations posted at once while the SCIM server answers 503 for ${outageS} s; per leaver, ms from its webhook POST to each step as recorded in evidence`,
      peerLatencyMs: latencyMs,
      n,
      outageSeconds: outageS,
      oktaSessionsKilledMs: summarise(oktaKill),
      oktaAccessRevokedMs: summarise(oktaRevoke),
      scimSessionsEndedMs: summarise(scimEnd),
      scimSessionsEndedAfterOutageMs: summarise(afterOutage),
      measuredWith: measuredWith(rig),
    };
    const path = await writeResult('outage', result);
    const row = (name: string, s: ReturnType<typeof summarise>) => `| ${name} | ${s.p50} | ${s.p95} | ${s.max} |`;
    console.log(
      [
        '',
        `| ${n} leavers, SCIM down ${outageS} s | p50 (ms) | p95 (ms) | max (ms) |`,
        '|---|---:|---:|---:|',
        row('Okta sessions killed', result.oktaSessionsKilledMs),
        row('Okta access fully revoked', result.oktaAccessRevokedMs),
        row('SCIM sessions ended (disabled)', result.scimSessionsEndedMs),
        row('… of which after the outage ended', result.scimSessionsEndedAfterOutageMs),
        '',
        `written to ${path}`,
      ].join('\n'),
    );
  });
}

export const outageBenchmark: Benchmark = {
  summary: 'leavers while one system answers 503 for a minute -> the other system killed and revoked, the first once it is back',
  run,
};
