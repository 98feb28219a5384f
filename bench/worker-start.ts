/**
 * `npm run bench -- worker-start`: how long `jml worker` takes from spawn to "jml worker running"
 * (connected, workflow code loaded, polling), run from the TypeScript sources bundling the workflow
 * code at start-up (as before the production build), from the sources with the prebuilt bundle,
 * and as the production image runs it: compiled (dist/), NODE_ENV=production. Postgres as an app
 * role (DATABASE_URL's server) and a headless Temporal dev server, both shared by every run.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateAsOwner } from '../src/db/owner-migrate';
import { createTestRoles } from '../test/harness/db-roles';
import { benchArgs, wholeNumber } from './args';
import { codeVersion, machine, startTemporal, UsageError, writeResult, type Benchmark } from './common';

const variants = [
  { name: 'sources, workflow code bundled at start-up', env: {} },
  { name: 'sources, prebuilt bundle (JML_WORKFLOW_BUNDLE)', env: { JML_WORKFLOW_BUNDLE: 'dist/workflows.bundle.js' } },
  { name: 'compiled (dist/, NODE_ENV=production), prebuilt bundle', env: { NODE_ENV: 'production' } },
] as const;

function startOnce(env: Record<string, string>, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/jml.js'), 'worker'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready === undefined && output.includes('jml worker running')) {
        ready = performance.now() - started;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      if (ready === undefined) reject(new Error(`jml worker did not start:\n${output.slice(-2000)}`));
      else resolve(Math.round(ready));
    });
  });
}

async function run(args: string[]): Promise<void> {
  const values = benchArgs(args, { runs: { type: 'string', default: '3' } });
  const runs = wholeNumber('runs', values.runs, 1, 20);
  const log = (line: string) => console.error(`[bench worker-start] ${line}`);
  if (!process.env.DATABASE_URL) throw new UsageError('worker-start needs DATABASE_URL: jml worker runs as an app role on Postgres');
  const buildStarted = performance.now();
  await new Promise<void>((resolve, reject) => {
    const build = spawn('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited ${code}`))));
  });
  const buildMs = Math.round(performance.now() - buildStarted);
  const temporal = await startTemporal(log);
  const roles = await createTestRoles('bench_start');
  const cwd = await mkdtemp(join(tmpdir(), 'jml-worker-start-'));
  const results: { variant: string; ms: number[]; p50Ms: number; maxMs: number }[] = [];
  try {
    await migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl });
    const base = { DATABASE_URL: roles.appUrl, TEMPORAL_ADDRESS: temporal.address, JML_PAYLOADS_IN_CLEAR: 'true', JML_METRICS_PORT: '0', LOG_LEVEL: 'info' };
    for (const variant of variants) {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const env: Record<string, string> = { ...base, TEMPORAL_TASK_QUEUE: `start-${i}-${Date.now()}`, ...variant.env };
        if ('JML_WORKFLOW_BUNDLE' in variant.env) env.JML_WORKFLOW_BUNDLE = join(process.cwd(), variant.env.JML_WORKFLOW_BUNDLE);
        ms.push(await startOnce(env, cwd));
        log(`${variant.name}: ${ms.at(-1)} ms`);
      }
      const sorted = [...ms].sort((a, b) => a - b);
      results.push({ variant: variant.name, ms, p50Ms: sorted[Math.ceil(sorted.length / 2) - 1]!, maxMs: sorted.at(-1)! });
    }
  } finally {
    await rm(cwd, { recursive: true, force: true });
    await roles.drop();
    await temporal.stop();
  }
  const path = await writeResult('worker-start', {
    benchmark: 'worker-start',
    summary: workerStartBenchmark.summary,
    method: 'node bin/jml.js worker spawned with a fresh task queue; time from spawn to its "jml worker running" log line (connected to Temporal and Postgres, workflow code loaded, pollers started), then SIGTERM; runs one after another',
    machine: machine(),
    temporal: temporal.kind,
    code: codeVersion(),
    buildMs,
    runs,
    results,
  });
  console.log('| how the worker runs | start p50 | start max | runs |');
  console.log('|---|---|---|---|');
  for (const r of results) console.log(`| ${r.variant} | ${r.p50Ms} ms | ${r.maxMs} ms | ${r.ms.join(', ')} ms |`);
  console.log(`npm run build took ${buildMs} ms; results: ${path}`);
}

export const workerStartBenchmark: Benchmark = {
  summary: 'jml worker from spawn to polling: from the sources bundling at start-up, with the prebuilt bundle, and compiled (the production image)',
  run,
};
