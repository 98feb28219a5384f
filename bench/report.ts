/**
 * The offboarding report over a large evidence log: `--leavers` leaver runs (default 100,000)
 * spread over a year (bench/report-world.ts), then the report built as `jml report offboarding`
 * and GET /api/reports/offboarding build it (loadOffboardingReport: read from the database,
 * rows computed, JSON and CSV rendered): the first report over the log (which keeps every
 * settled run's row), then one month and the whole year `--runs` times each with the rows kept,
 * and the whole year from evidence alone. Reported: wall time per window (median and max of the runs), the read and build split,
 * the leavers in the window, CPU of this process and peak heap.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { offboardingCsv } from '../src/reports/csv';
import { loadOffboardingReport } from '../src/reports/report-cli';
import { reportFromEvidence } from '../src/reports/report-runs';
import { benchArgs, wholeNumber } from './args';
import { codeVersion, databaseInfo, machine, writeResult, type Benchmark } from './common';
import { eventsPerLeaver, seedReportWorld } from './report-world';

interface WindowFigures {
  window: string;
  from: string;
  to: string;
  leavers: number;
  wallMs: number[];
  cpuMs: number[];
  p50WallMs: number;
  maxWallMs: number;
  goalMs: number;
  met: boolean;
}

const goalMs = 2_000;

async function run(args: string[]): Promise<void> {
  const values = benchArgs(args, { leavers: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } });
  const leavers = wholeNumber('leavers', values.leavers, 12, 1_000_000);
  const runs = wholeNumber('runs', values.runs, 1, 20);
  const log = (line: string) => console.error(`[bench report] ${line}`);
  const url = process.env.DATABASE_URL;
  if (!url) log('DATABASE_URL is unset: measuring embedded PGlite');
  const schema = `bench_report_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({ ...(url ? { url } : {}), schema });
  const windows: WindowFigures[] = [];
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  let rows = 0;
  let database: Awaited<ReturnType<typeof databaseInfo>> | undefined;
  try {
    await migrate(db);
    database = await databaseInfo(db);
    const seedStarted = Date.now();
    rows = await seedReportWorld(db, leavers, log);
    log(`seeded ${rows} evidence rows in ${Date.now() - seedStarted} ms`);
    const asOf = new Date(Date.UTC(2026, 0, 15));
    const year = ['2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'] as const;
    const month = ['2025-06-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z'] as const;
    const phases = [
      // The first report over the log keeps every run's row: it reads all the evidence once.
      ['the whole year, first report (nothing kept yet)', ...year, 1],
      ['one month (2025-06), rows kept', ...month, runs],
      ['the whole year, rows kept', ...year, runs],
      // One answer is one format: what GET /api/reports/offboarding?format=json (or csv) builds.
      ['the whole year, rows kept, JSON only', ...year, runs],
      ['the whole year, rows kept, CSV only', ...year, runs],
      ['the whole year, from evidence alone (--fresh)', ...year, 1],
    ] as const;
    for (const [name, from, to, times] of phases) {
      const wallMs: number[] = [];
      const cpuMs: number[] = [];
      let count = 0;
      for (let i = 0; i < times; i++) {
        const started = Date.now();
        const cpu = process.cpuUsage();
        const report = name.includes('alone') ? await reportFromEvidence(db, { from, to }, asOf) : await loadOffboardingReport(db, { from, to }, asOf);
        if (!name.endsWith('CSV only')) JSON.stringify(report);
        if (!name.endsWith('JSON only')) offboardingCsv(report);
        const used = process.cpuUsage(cpu);
        wallMs.push(Date.now() - started);
        cpuMs.push(Math.round((used.user + used.system) / 1000));
        count = report.summary.count;
      }
      const sorted = [...wallMs].sort((a, b) => a - b);
      const p50 = sorted[Math.ceil(sorted.length / 2) - 1]!;
      const max = sorted.at(-1)!;
      windows.push({ window: name, from, to, leavers: count, wallMs, cpuMs, p50WallMs: p50, maxWallMs: max, goalMs, met: max < goalMs });
      log(`${name}: ${count} leavers, wall ${wallMs.join(', ')} ms`);
    }
  } finally {
    clearInterval(sampler);
    // A million rows left behind in a shared server would slow everything after.
    if (db.kind === 'postgres') await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await db.close();
  }
  const path = await writeResult('report', {
    benchmark: 'report',
    summary: reportBenchmark.summary,
    method:
      'loadOffboardingReport (what the CLI and the API call) timed end to end, then JSON and CSV rendered (both, or the one format an answer carries), in one process, the windows one after another in the order listed; evidence seeded straight into evidence_events with the store\u2019s hash chain; peak heap sampled every 20 ms',
    machine: machine(),
    database,
    code: codeVersion(),
    options: { leavers, runs, eventsPerLeaver, evidenceRows: rows },
    peakHeapMb: Math.round(peakHeap / 1_048_576),
    windows,
  });
  console.log('| window | leavers in it | wall p50 | wall max | CPU (each run) | goal < 2 s |');
  console.log('|---|---|---|---|---|---|');
  for (const w of windows) {
    console.log(`| ${w.window} | ${w.leavers.toLocaleString('en')} | ${w.p50WallMs} ms | ${w.maxWallMs} ms | ${w.cpuMs.join(', ')} ms | ${w.met ? 'met' : `missed by ${w.maxWallMs - goalMs} ms`} |`);
  }
  console.log(`${rows.toLocaleString('en')} evidence rows; peak heap ${Math.round(peakHeap / 1_048_576)} MB; results: ${path}`);
}

export const reportBenchmark: Benchmark = {
  summary: 'the offboarding report over 100,000 leavers (a year of evidence, three systems each): one month and the whole year',
  run,
};
