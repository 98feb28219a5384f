/**
 * Leaver benchmark: how long from the start of a BambooHR termination webhook POST until the
 * leaver's sessions are killed in every connected system, with the systems answering after
 * 150 ms, set against the same HTTP calls made directly and in parallel.
 *
 * Everything is real except the target systems: the engine's API and worker as `jml dev` wires
 * them, a Temporal dev server, Postgres (DATABASE_URL) or PGlite, an Okta API peer and a SCIM 2.0
 * server (rig.ts). The kill moment is observed at the peers (PeerWatch, kill-watch.ts).
 *
 * This file runs the passes in order; the parts live beside it: leaver-engine.ts (one leaver
 * through the engine), leaver-baseline.ts (the direct calls), leaver-concurrent.ts (the pass
 * with many in flight), leaver-peer-calls.ts and leaver-stages.ts (what happened inside each
 * leaver), leaver-result.ts and leaver-print.ts (the result file and the table).
 */
import { writeResult, type Benchmark } from './common';
import { directConnectors } from './direct';
import { baselineLeaver } from './leaver-baseline';
import { concurrentPass, type ConcurrentResult } from './leaver-concurrent';
import { engineLeaver } from './leaver-engine';
import { peerCalls } from './leaver-peer-calls';
import { printTable } from './leaver-print';
import { leaverResult } from './leaver-result';
import { killMs, type Context, type Sample } from './leaver-sample';
import { milestonesOf, stagesOf } from './leaver-stages';
import { loadMeter } from './load-meter';
import { parseOptions } from './options';
import { PeerWatch } from './peer-watch';
import { idSource, withRig } from './rig';
import { median } from './stats';

async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  // Two days back: a date that has passed in every time zone, so each leaver is acted on at once.
  const terminationDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);

  await withRig({ name: 'leaver', n: options.n, config: 'sla: { leaverSessionKill: 60s }\n' }, async (rig) => {
    const { log, engine, targets } = rig;
    const ctx: Context = {
      engine,
      targets,
      watch: new PeerWatch(targets, options.pollMs),
      direct: directConnectors(targets),
      terminationDate,
      nextId: idSource(700_000, 'bench.leaver'),
    };

    log(`warm-up: ${options.warmup} leaver(s) through the engine and directly (not counted)`);
    for (let i = 0; i < options.warmup; i++) {
      await engineLeaver(ctx);
      await baselineLeaver(ctx);
    }

    log(`measuring ${options.n} leavers one at a time, each followed by its direct baseline`);
    const engineSamples: Sample[] = [];
    const baselineSamples: Sample[] = [];
    const sequentialLoad = loadMeter();
    for (let i = 0; i < options.n; i++) {
      engineSamples.push(await engineLeaver(ctx));
      baselineSamples.push(await baselineLeaver(ctx));
      if ((i + 1) % 10 === 0) log(`${i + 1}/${options.n}: engine p50 so far ${median(engineSamples.map(killMs))} ms`);
    }
    const load = sequentialLoad();

    let concurrent: ConcurrentResult | undefined;
    let concurrentEngine: Sample[] = [];
    if (options.concurrency > 1) {
      log(`concurrency ${options.concurrency}: ${options.concurrentN} leavers through the engine, then directly`);
      ({ concurrent, engineSamples: concurrentEngine } = await concurrentPass(ctx, options));
    }

    log('reading peer request logs, evidence and workflow histories');
    const oktaLog = targets.okta.requests();
    const scimLog = targets.scim.requests();
    const engineCalls = engineSamples.map((s) => peerCalls(targets, oktaLog, scimLog, s));
    const baselineCalls = baselineSamples.map((s) => peerCalls(targets, oktaLog, scimLog, s));
    const rows = await milestonesOf(ctx, engineSamples, engineCalls);
    if (concurrent) {
      const calls = concurrentEngine.map((s) => peerCalls(targets, oktaLog, scimLog, s));
      concurrent.stages = stagesOf(await milestonesOf(ctx, concurrentEngine, calls));
    }

    const { result, engine: e, baseline: b } = leaverResult({
      options,
      engineSamples,
      baselineSamples,
      engineCalls,
      baselineCalls,
      rows,
      oktaLog,
      scimLog,
      watch: ctx.watch,
      rig,
      load,
      terminationDate,
      concurrent,
    });
    const path = await writeResult('leaver', result);
    printTable(result, e, b, concurrent);
    console.log(`\nresults: ${path}`);
  });
}

export const leaverBenchmark: Benchmark = {
  summary: 'webhook POST -> sessions killed in every system, against direct calls to the same systems',
  run,
};
