/**
 * Orphan reconciliation of a large directory: `--accounts` accounts (default 100,000) in the Okta
 * peer and in a SCIM server, HR history for the workers behind them (test/harness/orphan-world.ts),
 * each system listed at its vendor's page size (Okta 200, SCIM 100) and judged against HR's view
 * loaded once. Two runs: the first opens every orphan, the second (steady state) finds the same
 * ones and opens none. Reported: wall time and CPU per run (this process: the peers run in it too,
 * so the engine's own share is smaller), the HR view's load time, the peak heap, requests made.
 */
import { randomBytes } from 'node:crypto';
import { OktaConnector } from '../src/connectors/okta/connector';
import { ScimConnector } from '../src/connectors/scim/connector';
import { openDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { loadHrView } from '../src/orphans/hr-view';
import { reconcileSystem, type SystemOutcome } from '../src/orphans/reconcile';
import { OrphanStore } from '../src/orphans/store';
import { startOrphanWorld } from '../test/harness/orphan-world';
import { benchArgs, wholeNumber } from './args';
import { codeVersion, databaseInfo, machine, writeResult, type Benchmark } from './common';

interface RunFigures {
  runId: string;
  wallMs: number;
  cpuMs: number;
  hrViewMs: number;
  systems: (SystemOutcome & { wallMs: number; requests: number })[];
}

async function run(args: string[]): Promise<void> {
  const values = benchArgs(args, { accounts: { type: 'string', default: '100000' } });
  const accounts = wholeNumber('accounts', values.accounts, 1, 2_000_000);
  const log = (line: string) => console.error(`[bench orphans] ${line}`);
  const url = process.env.DATABASE_URL;
  if (!url) log('DATABASE_URL is unset: measuring embedded PGlite');
  const db = await openDatabase({ ...(url ? { url } : {}), schema: `bench_orphans_${randomBytes(4).toString('hex')}` });
  await migrate(db);
  const database = await databaseInfo(db);
  log(`seeding ${accounts} accounts in each system and their workers' HR history`);
  const world = await startOrphanWorld(db, accounts);
  const store = new OrphanStore(db);
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
  const runs: RunFigures[] = [];
  try {
    for (const runId of ['first', 'steady']) {
      const started = Date.now();
      const cpu = process.cpuUsage();
      const hr = await loadHrView(db, { cutoffLocalTime: '18:00', defaultTimeZone: 'UTC' });
      const hrViewMs = Date.now() - started;
      const at = new Date();
      const peers = [
        { connector: new OktaConnector({ id: 'okta', baseUrl: world.okta.url, token: world.oktaToken }), requests: () => world.okta.requests().length },
        { connector: new ScimConnector({ id: 'aws', baseUrl: world.scim.url, token: world.scimToken }), requests: () => world.scim.requests().length },
      ];
      const systems = await Promise.all(
        peers.map(async ({ connector, requests }) => {
          const before = requests();
          const t = Date.now();
          const outcome = await reconcileSystem({ runId, connector, store, hr, at, graceMs: 900_000 });
          return { ...outcome, wallMs: Date.now() - t, requests: requests() - before };
        }),
      );
      const used = process.cpuUsage(cpu);
      const figures = { runId, wallMs: Date.now() - started, cpuMs: Math.round((used.user + used.system) / 1000), hrViewMs, systems };
      runs.push(figures);
      log(`${runId}: ${figures.wallMs} ms wall, ${figures.cpuMs} ms CPU, HR view ${hrViewMs} ms; ${systems.map((s) => `${s.system} ${s.status} ${s.accounts} accounts ${s.orphans} orphans (${s.newOrphans} new) in ${s.wallMs} ms, ${s.requests} requests`).join('; ')}`);
    }
  } finally {
    clearInterval(sampler);
    await world.close();
    await db.close();
  }
  const path = await writeResult('orphans', {
    benchmark: 'orphans',
    summary: orphansBenchmark.summary,
    method:
      'both systems listed at once in one process with their peers (no added latency); CPU is this process (engine and peers together); the HR view is loaded once per run; peak heap sampled every 50 ms',
    machine: machine(),
    database,
    code: codeVersion(),
    options: { accounts },
    expected: world.expected,
    hrEvents: world.hrEvents,
    peakHeapMb: Math.round(peakHeap / 1_048_576),
    runs,
  });
  console.log('| run | wall | CPU (engine + peers) | HR view | okta | aws (SCIM) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of runs) {
    const cell = (id: string) => {
      const s = r.systems.find((x) => x.system === id)!;
      return `${s.accounts} accounts, ${s.orphans} orphans (${s.newOrphans} new), ${s.wallMs} ms`;
    };
    console.log(`| ${r.runId} | ${r.wallMs} ms | ${r.cpuMs} ms | ${r.hrViewMs} ms | ${cell('okta')} | ${cell('aws')} |`);
  }
  console.log(`peak heap ${Math.round(peakHeap / 1_048_576)} MB; results: ${path}`);
}

export const orphansBenchmark: Benchmark = {
  summary: 'orphan reconciliation of 100,000 accounts in each of two systems (Okta, SCIM) against their workers\u2019 HR history: first run and steady state',
  run,
};
