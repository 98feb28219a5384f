/**
 * Joiner benchmark: how long from the start of a signed BambooHR hire webhook POST until the
 * joiner's accounts exist and their entitlements are granted in every connected system, with
 * the systems answering after 150 ms, set against the same accounts and groups made directly.
 *
 * It runs on the leaver benchmark's machinery (rig.ts: Temporal dev server, peers, the engine as
 * `jml dev` wires it; PeerWatch: the moment observed at the peers; concurrent.ts, timeline.ts,
 * peer-log.ts, stats.ts). The parts of its own live beside it: joiner-sample.ts (policy, hire
 * record, the grant watch), joiner-engine.ts and joiner-baseline.ts (one joiner each way),
 * joiner-peer-calls.ts and joiner-stages.ts (what happened inside each joiner), joiner-result.ts
 * and joiner-print.ts (the result file and the table).
 */
import { writeResult, type Benchmark } from './common';
import { concurrentPass } from './concurrent';
import { directConnectors } from './direct';
import { baselineJoiner } from './joiner-baseline';
import { engineJoiner } from './joiner-engine';
import { peerCalls } from './joiner-peer-calls';
import { printTable } from './joiner-print';
import { joinerResult, type ConcurrentResult } from './joiner-result';
import { grantedMs, groups, policyYaml, releaseGroups, type Context, type Sample } from './joiner-sample';
import { milestonesOf, stagesOf } from './joiner-stages';
import { loadMeter } from './load-meter';
import { parseOptions } from './options';
import { PeerWatch } from './peer-watch';
import { idSource, withRig } from './rig';
import { median } from './stats';

const summary = 'webhook POST -> accounts created and entitlements granted in every system, against direct calls';

async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const seed = (targets: Context['targets']) => targets.seedGroups([groups.okta, groups.scim]);

  await withRig({ name: 'joiner', n: options.n, config: policyYaml, seed }, async (rig) => {
    const { log, engine, targets } = rig;
    const ctx: Context = {
      engine,
      targets,
      watch: new PeerWatch(targets, options.pollMs),
      direct: directConnectors(targets),
      nextId: idSource(800_000, 'bench.joiner'),
      inGroups: [],
    };

    log(`warm-up: ${options.warmup} joiner(s) through the engine and directly (not counted)`);
    for (let i = 0; i < options.warmup; i++) {
      await engineJoiner(ctx);
      await baselineJoiner(ctx);
      await releaseGroups(ctx);
    }

    log(`measuring ${options.n} joiners one at a time, each followed by its direct baseline`);
    const engineSamples: Sample[] = [];
    const baselineSamples: Sample[] = [];
    const sequentialLoad = loadMeter();
    for (let i = 0; i < options.n; i++) {
      engineSamples.push(await engineJoiner(ctx));
      baselineSamples.push(await baselineJoiner(ctx));
      await releaseGroups(ctx);
      if ((i + 1) % 10 === 0) log(`${i + 1}/${options.n}: engine p50 so far ${median(engineSamples.map(grantedMs))} ms`);
    }
    const load = sequentialLoad();

    let concurrent: ConcurrentResult | undefined;
    let concurrentEngine: Sample[] = [];
    if (options.concurrency > 1) {
      log(`concurrency ${options.concurrency}: ${options.concurrentN} joiners through the engine, then directly`);
      ({ figures: concurrent, engineSamples: concurrentEngine } = await concurrentPass({
        unit: 'joiners',
        concurrency: options.concurrency,
        n: options.concurrentN,
        engine: () => engineJoiner(ctx),
        baseline: () => baselineJoiner(ctx),
        ms: grantedMs,
        beforeEach: () => releaseGroups(ctx),
        note:
          'each of the concurrency slots runs one joiner end to end (accounts and grants, then the rest of the joiner workflow) before taking the next; ' +
          'wall time is for the whole pass including the steps after the grants; the groups are emptied before each half, so each half grows them from 0 to n members',
      }));
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

    const { result, engine: e, baseline: b } = joinerResult({
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
      concurrent,
    });
    const path = await writeResult('joiner', result);
    printTable(result, e, b, concurrent);
    console.log(`\nresults: ${path}`);
  });
}

export const joinerBenchmark: Benchmark = { summary, run };
