/**
 * An access review's snapshot at scale: `--workers` active workers (default 2,000) with an
 * account and three groups in each of six systems (three Okta peers under Okta's documented
 * per-endpoint rate limits, three SCIM servers paced at `--scim-rps`), every peer answering after
 * `--latency` ms (default 150). All six systems are read at once, as a campaign reads them, by
 * the snapshot the campaign's activities run (src/reviews/snapshot.ts), writing items to the
 * database. Reported: wall time per system and overall against reviews.snapshotBudget's default
 * (2 h), requests and 429s per system, items written, CPU of this process (engine and peers).
 */
import { randomBytes } from 'node:crypto';
import { createConnectors } from '../src/connectors/registry';
import { openDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { reviewsSchema } from '../src/reviews/config';
import { snapshotSystem, type ReviewWorker } from '../src/reviews/snapshot';
import { ReviewStore } from '../src/reviews/store';
import type { SystemSnapshot } from '../src/reviews/types';
import { startOktaPeer } from '../test/peers/okta-peer';
import { oktaDocumentedRateLimits } from '../test/peers/okta-rate-limits';
import { startScimPeer } from '../test/peers/scim-peer';
import { benchArgs, wholeNumber } from './args';
import { codeVersion, databaseInfo, machine, writeResult, type Benchmark } from './common';

const token = 'bench-review-token-0123456789';
const departments = ['Engineering', 'Sales', 'Finance', 'Support', 'Marketing'];

async function run(args: string[]): Promise<void> {
  const values = benchArgs(args, { workers: { type: 'string', default: '2000' }, latency: { type: 'string', default: '150' }, 'scim-rps': { type: 'string', default: '25' } });
  const count = wholeNumber('workers', values.workers, 1, 100_000);
  const latencyMs = wholeNumber('latency', values.latency, 0, 10_000);
  const scimRps = wholeNumber('scim-rps', values['scim-rps'], 1, 10_000);
  const log = (line: string) => console.error(`[bench review] ${line}`);
  const url = process.env.DATABASE_URL;
  if (!url) log('DATABASE_URL is unset: measuring embedded PGlite');
  const db = await openDatabase({ ...(url ? { url } : {}), schema: `bench_review_${randomBytes(4).toString('hex')}` });
  await migrate(db);
  const database = await databaseInfo(db);
  const okta = await Promise.all([1, 2, 3].map(() => startOktaPeer({ token, rateLimits: oktaDocumentedRateLimits })));
  const scim = await Promise.all([1, 2, 3].map(() => startScimPeer({ token })));
  const workers: ReviewWorker[] = Array.from({ length: count }, (_, i) => ({
    hrSource: 'bamboohr',
    employeeId: String(100_000 + i),
    attributes: { workEmail: `worker${i}@bench.test`, department: departments[i % departments.length]!, managerId: String(90_000 + Math.floor(i / 8)) },
  }));
  log(`seeding ${count} accounts with 3 groups each in 6 systems`);
  for (const peer of okta) {
    for (const name of ['everyone', ...departments.map((d) => d.toLowerCase()), 'prod-db']) peer.seedGroup({ name });
    workers.forEach((w, i) => peer.seedUser({ login: w.attributes.workEmail!, email: w.attributes.workEmail!, status: 'ACTIVE', groups: ['everyone', w.attributes.department!.toLowerCase(), ...(i % 10 === 0 ? ['prod-db'] : [])] }));
  }
  for (const peer of scim) {
    for (const name of ['everyone', ...departments.map((d) => d.toLowerCase()), 'prod-db']) peer.seedGroup({ displayName: name });
    workers.forEach((w, i) => peer.seedUser({ userName: w.attributes.workEmail!, email: w.attributes.workEmail!, active: true, groups: ['everyone', w.attributes.department!.toLowerCase(), ...(i % 10 === 0 ? ['prod-db'] : [])] }));
  }
  const systems = [
    ...okta.map((p, i) => ({ id: `okta${i + 1}`, type: 'okta' as const, baseUrl: p.url, tokenEnv: 'BENCH_TOKEN' })),
    ...scim.map((p, i) => ({ id: `scim${i + 1}`, type: 'scim' as const, baseUrl: p.url, tokenEnv: 'BENCH_TOKEN', requestsPerSecond: scimRps })),
  ];
  const connectors = createConnectors(systems as Parameters<typeof createConnectors>[0], { BENCH_TOKEN: token });
  for (const p of [...okta, ...scim]) p.setLatency(latencyMs);
  const store = new ReviewStore(db);
  const campaignId = `review-bench-${randomBytes(3).toString('hex')}`;
  await store.open(campaignId, {}, new Date(), new Date(Date.now() + 86_400_000));
  const policy = { birthright: [{ system: 'okta1', entitlements: ['group:everyone'] }], rules: [] };
  const budgetMs = reviewsSchema.parse({}).snapshotBudget;
  const started = Date.now();
  const cpu = process.cpuUsage();
  const results = await Promise.all(
    [...connectors.values()].map(async (connector) => {
      const t = Date.now();
      const snapshot: SystemSnapshot = await snapshotSystem({ campaignId, connector, workers, scope: {}, policy, matchBy: undefined, store });
      const peer = [...okta, ...scim][systems.findIndex((s) => s.id === connector.id)]!;
      const requests = peer.requests().length;
      const limited = 'rateLimitStats' in peer ? Object.values(peer.rateLimitStats().buckets).reduce((n, b) => n + b.limited, 0) : 0;
      log(`${connector.id}: ${snapshot.accounts} accounts, ${snapshot.items} items in ${Date.now() - t} ms, ${requests} requests, ${limited} answered 429`);
      return { ...snapshot, wallMs: Date.now() - t, requests, rateLimited: limited };
    }),
  );
  const wallMs = Date.now() - started;
  const used = process.cpuUsage(cpu);
  const items = (await store.reviewers(campaignId)).reduce((n, r) => n + r.items, 0);
  for (const p of [...okta, ...scim]) await p.close();
  await db.close();
  const path = await writeResult('review', {
    benchmark: 'review',
    summary: reviewBenchmark.summary,
    method: `six systems read at once in one process with their peers (${latencyMs} ms added to every answer); Okta peers enforce Okta's documented per-endpoint limits, SCIM is paced at ${scimRps} requests/s by the connector; CPU is this process (engine and peers together)`,
    machine: machine(),
    database,
    code: codeVersion(),
    options: { workers: count, latencyMs, scimRps },
    budgetMs,
    wallMs,
    withinBudget: wallMs <= budgetMs,
    cpuMs: Math.round((used.user + used.system) / 1000),
    items,
    systems: results,
  });
  console.log('| system | accounts | items | requests | 429s | wall |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.system} | ${r.accounts} | ${r.items} | ${r.requests} | ${r.rateLimited} | ${(r.wallMs / 1000).toFixed(1)} s |`);
  console.log(`all six at once: ${(wallMs / 1000).toFixed(1)} s (budget ${budgetMs / 60_000} min), ${items} items written; results: ${path}`);
}

export const reviewBenchmark: Benchmark = {
  summary: "an access review's snapshot: 2,000 workers' access in six systems (three Okta under its rate limits, three SCIM), peers answering after 150 ms, against reviews.snapshotBudget",
  run,
};
