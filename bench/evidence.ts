/**
 * Evidence appends under load: appends/s and per-append latency (call to resolved record) with
 * 1, 10 and 100 callers appending at once, each caller writing its next row as soon as the last
 * one is stored (a closed loop, as activities do). Each scenario runs on a fresh schema, twice:
 * one transaction per append (`groupCommit: false`, how the store wrote before group commit)
 * and with group commit (the default). The last scenario stands for two worker processes: two
 * stores, each with its own connection pool, on one chain, the callers split between them.
 * Every scenario ends by verifying the chain and checking that each append got its own row.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { openDatabase, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { EvidenceStore } from '../src/evidence/store';
import type { EvidenceInput } from '../src/evidence/types';
import { codeVersion, databaseInfo, machine, writeResult, type Benchmark } from './common';
import { round, summarise, type Summary } from './stats';
import { benchArgs, wholeNumber } from './args';

interface EvidenceOptions {
  n: number;
  warmup: number;
  concurrency: number[];
  maxBatch: number | undefined;
}

function optionsOf(args: string[]): EvidenceOptions {
  const values = benchArgs(args, {
    n: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,10,100' },
    'max-batch': { type: 'string' },
  });
  const int = wholeNumber;
  return {
    n: int('n', values.n, 1, 1_000_000),
    warmup: int('warmup', values.warmup, 0, 100_000),
    concurrency: values.concurrency.split(',').map((c) => int('concurrency', c.trim(), 1, 10_000)),
    maxBatch: values['max-batch'] === undefined ? undefined : int('max-batch', values['max-batch'], 1, 4000),
  };
}

type Mode = 'per-append' | 'group-commit';

interface ScenarioResult {
  mode: Mode;
  processes: number;
  concurrency: number;
  n: number;
  seconds: number;
  appendsPerSecond: number;
  latencyMs: Summary;
  /** Group commit only: events per transaction during the measured appends. */
  batches?: { count: number; meanEvents: number; maxEvents: number };
  verified: boolean;
  /** 1-minute load average when the scenario ended (the machine may be shared). */
  loadAverage: number;
}

/** A leaver step's row, as the activities write it. */
function row(run: string, i: number): EvidenceInput {
  const employee = 100_000 + Math.floor(i / 10);
  return {
    stepKey: `leaver-bamboohr-${employee}-${run}:${i}:okta:sessions.kill`,
    employeeId: `bamboohr-${employee}`,
    hrSource: 'bamboohr',
    actorType: 'engine',
    actorId: 'leaver-workflow',
    action: 'sessions.kill',
    system: 'okta',
    occurredAt: new Date().toISOString(),
    where: 'okta.example',
    outcome: 'success',
    context: { workflowId: `leaver-bamboohr-${employee}-${run}`, runId: run, accountId: `00u${i}`, attempt: 1 },
  };
}

/** `callers` loops appending one row after another until `count` rows are written; each append's latency in ms. */
async function drive(stores: EvidenceStore[], callers: number, count: number, run: string): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      const store = stores[caller % stores.length]!;
      for (let i = next++; i < count; i = next++) {
        const started = performance.now();
        const record = await store.append(row(run, i));
        latencies.push(performance.now() - started);
        if (record.stepKey !== row(run, i).stepKey) throw new Error(`append ${i} came back with another row`);
      }
    }),
  );
  return latencies;
}

async function scenario(url: string | undefined, mode: Mode, processes: number, concurrency: number, options: EvidenceOptions): Promise<ScenarioResult> {
  const schema = `bench_evidence_${randomBytes(4).toString('hex')}`;
  const batches: number[] = [];
  const storeOptions = {
    groupCommit: mode === 'group-commit',
    onBatch: (events: number) => batches.push(events),
    ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}),
  };
  const dbs: Database[] = [];
  try {
    // Pools as a worker process opens them (the default size); PGlite has one connection.
    for (let p = 0; p < processes; p++) dbs.push(await openDatabase({ url, schema }));
    await migrate(dbs[0]!);
    const stores = dbs.map((db) => new EvidenceStore(db, storeOptions));
    await drive(stores, concurrency, options.warmup, 'warmup');
    batches.length = 0;
    const started = performance.now();
    const latencies = await drive(stores, concurrency, options.n, 'measured');
    const seconds = (performance.now() - started) / 1000;
    const verify = await stores[0]!.verify();
    const expected = options.warmup + options.n;
    if (!verify.ok || verify.checked !== expected) throw new Error(`chain after ${mode} x${concurrency}: ok=${verify.ok}, ${verify.checked} of ${expected} rows`);
    return {
      mode,
      processes,
      concurrency,
      n: options.n,
      seconds: round(seconds, 2),
      appendsPerSecond: Math.round(options.n / seconds),
      latencyMs: summarise(latencies.map((ms) => round(ms, 2))),
      ...(batches.length > 0
        ? { batches: { count: batches.length, meanEvents: round(batches.reduce((a, b) => a + b, 0) / batches.length), maxEvents: Math.max(...batches) } }
        : {}),
      verified: verify.ok,
      loadAverage: round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    if (url && dbs[0]) await dbs[0].query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    for (const db of dbs) await db.close();
  }
}

async function run(args: string[]): Promise<void> {
  const options = optionsOf(args);
  const log = (line: string) => console.error(`[bench evidence] ${line}`);
  const url = process.env.DATABASE_URL;
  if (!url) log('DATABASE_URL is unset: measuring embedded PGlite, one process only');
  const probe = await openDatabase({ url });
  const database = await databaseInfo(probe);
  await probe.close();

  const plan: [number, number][] = options.concurrency.map((c) => [1, c]);
  const twoProcessCallers = Math.max(...options.concurrency);
  if (url) plan.push([2, twoProcessCallers]);
  const results: ScenarioResult[] = [];
  for (const [processes, concurrency] of plan) {
    for (const mode of ['per-append', 'group-commit'] as const) {
      log(`${mode}: ${processes} store(s), ${concurrency} callers, ${options.n} appends`);
      const result = await scenario(url, mode, processes, concurrency, options);
      const batching = result.batches ? `, ${result.batches.meanEvents} events per transaction (max ${result.batches.maxEvents})` : '';
      log(`  ${result.appendsPerSecond} appends/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms${batching}`);
      results.push(result);
    }
  }

  const path = await writeResult('evidence', {
    benchmark: 'evidence',
    summary: evidenceBenchmark.summary,
    method:
      'closed loop: each caller appends its next row when the last one resolves; appends/s = n / wall time of the measured appends; latency from append() call to the resolved record; nearest-rank percentiles; a fresh schema per scenario after --warmup appends; the chain verified after each',
    machine: machine(),
    database,
    code: codeVersion(),
    options,
    results,
  });
  console.log('| stores | callers | one transaction per append | group commit | p50 / p99 per append → group |');
  console.log('|---|---|---|---|---|');
  for (const [processes, concurrency] of plan) {
    const of = (mode: Mode) => results.find((r) => r.mode === mode && r.processes === processes && r.concurrency === concurrency)!;
    const before = of('per-append');
    const after = of('group-commit');
    console.log(
      `| ${processes} | ${concurrency} | ${before.appendsPerSecond}/s | ${after.appendsPerSecond}/s | ${before.latencyMs.p50} / ${before.latencyMs.p99} ms → ${after.latencyMs.p50} / ${after.latencyMs.p99} ms |`,
    );
  }
  log(`results: ${path}`);
}

export const evidenceBenchmark: Benchmark = {
  summary: 'evidence appends/s and append latency with 1, 10 and 100 callers (and two processes), one transaction per append against group commit',
  run,
};
