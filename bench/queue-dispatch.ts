/**
 * How long a lone step waits for dispatch on an idle task queue whose rate the Temporal server
 * limits (`maxTaskQueueActivitiesPerSecond`), as the engine's system queues are: one step every
 * `--every` ms, far below the limit, each on a fresh dev server started with the engine's matcher
 * flags, with the server's default partitions and with one. The server holds a queue's rate per
 * partition (each at rate / partitions, with a second's burst), so at a few steps a second and
 * below a step on an idle queue can wait seconds for its partition; with one partition it does
 * not. Results: bench/results/queue-dispatch.json.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { resolveTemporalCli } from '../src/temporal/cli-path';
import { freePort } from '../src/temporal/dev-server';
import { benchArgs, wholeNumber } from './args';
import { UsageError, codeVersion, machine, writeResult, type Benchmark } from './common';
import { eventMs } from './history';
import { summarise } from './stats';

interface Case {
  stepsPerSecond: number;
  /** Undefined: the server's default (4). */
  partitions?: number;
}

async function measure(cli: string, c: Case, n: number, everyMs: number, runMs: number): Promise<number[]> {
  const port = await freePort();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error', '--dynamic-config-value', 'matching.useNewMatcher=true'];
  if (c.partitions) for (const k of ['Read', 'Write']) args.push('--dynamic-config-value', `matching.numTaskqueue${k}Partitions=${c.partitions}`);
  const server = spawn(cli, args, { stdio: 'ignore' });
  try {
    let connection: Connection | undefined;
    for (let i = 0; i < 150 && !connection; i++) connection = await Connection.connect({ address: `127.0.0.1:${port}` }).catch(async () => void (await new Promise((r) => setTimeout(r, 200))));
    if (!connection) throw new Error('the dev server did not answer');
    const native = await NativeConnection.connect({ address: `127.0.0.1:${port}` });
    const workflows = await Worker.create({ connection: native, taskQueue: 'wf', workflowsPath: fileURLToPath(new URL('./queue-dispatch/workflow.ts', import.meta.url)) });
    const steps = await Worker.create({
      connection: native,
      taskQueue: 'steps',
      activities: { step: (ms: number) => new Promise((r) => setTimeout(r, ms)) },
      maxConcurrentActivityTaskExecutions: 2000,
      maxTaskQueueActivitiesPerSecond: c.stepsPerSecond,
    });
    const running = Promise.all([workflows.run(), steps.run()]);
    const client = new Client({ connection });
    await new Promise((r) => setTimeout(r, 3000));
    const handles = [];
    for (let i = 0; i < n; i++) {
      handles.push(await client.workflow.start('oneStep', { taskQueue: 'wf', workflowId: `step-${i}`, args: [{ queue: 'steps', runMs }] }));
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await Promise.all(handles.map((h) => h.result()));
    const waits: number[] = [];
    for (const h of handles) {
      const events = (await h.fetchHistory()).events ?? [];
      const scheduled = eventMs(events.find((e) => e.activityTaskScheduledEventAttributes));
      const started = eventMs(events.find((e) => e.activityTaskStartedEventAttributes));
      if (scheduled !== undefined && started !== undefined) waits.push(started - scheduled);
    }
    workflows.shutdown();
    steps.shutdown();
    await running;
    await native.close();
    await connection.close();
    return waits;
  } finally {
    server.kill('SIGTERM');
  }
}

async function run(argv: string[]): Promise<void> {
  const values = benchArgs(argv, { n: { type: 'string', default: '12' }, every: { type: 'string', default: '7300' }, rates: { type: 'string', default: '0.833' } });
  const n = wholeNumber('n', values.n, 1);
  const everyMs = wholeNumber('every', values.every, 100);
  const rates = values.rates.split(',').map((r) => Number(r));
  if (rates.some((r) => !(r > 0))) throw new UsageError(`--rates must be steps a second above 0, comma-separated (got "${values.rates}")`);
  const log = (line: string) => console.error(`[bench queue-dispatch] ${line}`);
  const cli = await resolveTemporalCli({ log });
  if (cli.source === 'sdk-download') throw new Error('needs the Temporal CLI (its dev server takes dynamic config values)');
  const cases: Case[] = rates.flatMap((stepsPerSecond) => [{ stepsPerSecond }, { stepsPerSecond, partitions: 1 }]);
  // A step runs as long as a GitHub leaver's disable and revoke did (about 2.3 s).
  const runMs = 2300;
  log(`${cases.length} cases, ${n} steps each, one every ${everyMs} ms, side by side`);
  const results = await Promise.all(cases.map(async (c) => ({ ...c, partitions: c.partitions ?? 'server default (4)', waitsMs: await measure(cli.path, c, n, everyMs, runMs) })));
  const result = {
    benchmark: 'queue-dispatch',
    what: 'schedule -> start of a lone step on an idle rate-limited task queue (one step every `everyMs`, each running runMs)',
    everyMs,
    runMs,
    n,
    cases: results.map((r) => ({ ...r, summary: summarise(r.waitsMs) })),
    measuredWith: { temporal: `temporal dev server (CLI, from ${cli.source}), matching.useNewMatcher=true`, ...(codeVersion() ? { code: codeVersion() } : {}), ...machine() },
  };
  const path = await writeResult('queue-dispatch', result);
  console.log(`\nlone step on an idle rate-limited queue, one every ${everyMs} ms (n=${n} each): wait for dispatch, ms`);
  for (const r of result.cases) console.log(`  ${String(r.stepsPerSecond).padEnd(6)} steps/s, partitions ${String(r.partitions).padEnd(18)} p50 ${r.summary.p50}  max ${r.summary.max}  all ${r.waitsMs.join(' ')}`);
  console.log(`\nresults: ${path}`);
}

export const queueDispatchBenchmark: Benchmark = {
  summary: 'how long a lone step waits for dispatch on an idle rate-limited task queue, with the server\u2019s partitions and with one',
  run,
};
