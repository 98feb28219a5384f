/**
 * The lifecycle runner: warm-up, a sequential pass (each engine worker followed by one baseline
 * worker), a pass with many in flight, then the peers' request logs, evidence and workflow
 * histories read into per-worker milestones, the result file and the table. What differs
 * between leavers, joiners and later kinds lives in their scenario (../scenarios/).
 */
import { writeResult, type Benchmark } from '../common';
import { concurrentPass } from '../concurrent';
import { directConnectors } from '../direct';
import { loadMeter } from '../load-meter';
import { parseOptions } from '../options';
import { PeerWatch } from '../peer-watch';
import { idSource, withRig } from '../rig';
import { median, summarise } from '../stats';
import { commonFigures, printTable } from './report';
import { baselineRun, engineRun } from './run-one';
import { sampleMs, type ConcurrentSection, type Context, type Milestones, type PeerLogs, type Sample, type Scenario } from './scenario';

/** Milestones of engine workers, one after another (each reads its evidence and two workflow histories). */
async function milestonesOf<Calls, K extends string>(scenario: Scenario<Calls, K, unknown, string, object>, ctx: Context, samples: Sample[], calls: Calls[]): Promise<Milestones<K>[]> {
  const rows: Milestones<K>[] = [];
  for (const [i, s] of samples.entries()) {
    const evidence = await ctx.engine.services.evidence.forEmployee(s.employeeId);
    const employee = (await ctx.engine.client.workflow.getHandle(s.employeeWorkflowId!).fetchHistory()).events ?? [];
    const child = (await ctx.engine.client.workflow.getHandle(s.workflowId!).fetchHistory()).events ?? [];
    rows.push(scenario.milestones({ evidence, employee, child }, s, calls[i]!));
  }
  return rows;
}

export function lifecycleBenchmark<Calls, K extends string, Stages, U extends string, R extends object>(
  scenario: Scenario<Calls, K, Stages, U, R>,
  summary: string,
): Benchmark {
  const any = scenario as unknown as Scenario<unknown, string, unknown, string, object>;
  async function run(args: string[]): Promise<void> {
    const options = parseOptions(args);
    const { name, unit } = scenario;
    await withRig({ name, n: options.n, config: scenario.config, seed: scenario.seed }, async (rig) => {
      const { log, engine, targets } = rig;
      const ctx: Context = {
        engine,
        targets,
        watch: new PeerWatch(targets, options.pollMs),
        direct: directConnectors(targets),
        nextId: idSource(scenario.ids.base, scenario.ids.loginPrefix),
        measured: [],
      };
      const reset = async () => {
        await scenario.reset?.(ctx);
        ctx.measured.length = 0;
      };

      log(`warm-up: ${options.warmup} ${unit} through the engine and directly (not counted)`);
      for (let i = 0; i < options.warmup; i++) {
        await engineRun(any, ctx);
        await baselineRun(any, ctx);
        await reset();
      }

      log(`measuring ${options.n} ${unit} one at a time, each followed by its direct baseline`);
      const engineSamples: Sample[] = [];
      const baselineSamples: Sample[] = [];
      const sequentialLoad = loadMeter();
      for (let i = 0; i < options.n; i++) {
        engineSamples.push(await engineRun(any, ctx));
        baselineSamples.push(await baselineRun(any, ctx));
        await reset();
        if ((i + 1) % 10 === 0) log(`${i + 1}/${options.n}: engine p50 so far ${median(engineSamples.map(sampleMs))} ms`);
      }
      const load = sequentialLoad();

      let concurrent: ConcurrentSection<U, Stages> | undefined;
      let concurrentEngine: Sample[] = [];
      if (options.concurrency > 1) {
        log(`concurrency ${options.concurrency}: ${options.concurrentN} ${unit} through the engine, then directly`);
        ({ figures: concurrent, engineSamples: concurrentEngine } = await concurrentPass({
          unit,
          concurrency: options.concurrency,
          n: options.concurrentN,
          engine: () => engineRun(any, ctx),
          baseline: () => baselineRun(any, ctx),
          ms: sampleMs,
          ...(scenario.reset ? { beforeEach: reset } : {}),
          note: scenario.concurrentNote,
        }));
      }

      log('reading peer request logs, evidence and workflow histories');
      const logs: PeerLogs = { okta: targets.okta.requests(), scim: targets.scim.requests() };
      const callsOf = (samples: Sample[]) => samples.map((s) => scenario.peerCalls(targets, logs, s));
      const engineCalls = callsOf(engineSamples);
      const baselineCalls = callsOf(baselineSamples);
      const rows = await milestonesOf(scenario, ctx, engineSamples, engineCalls);
      if (concurrent) concurrent.stages = scenario.stagesOf(await milestonesOf(scenario, ctx, concurrentEngine, callsOf(concurrentEngine)));

      const measured = {
        options,
        rig,
        watch: ctx.watch,
        engineSamples,
        baselineSamples,
        engineCalls,
        baselineCalls,
        rows,
        logs,
        load,
        engine: summarise(engineSamples.map(sampleMs)),
        baseline: summarise(baselineSamples.map(sampleMs)),
      };
      const result = scenario.result(measured, commonFigures(scenario, measured), concurrent);
      const path = await writeResult(name, result);
      printTable(any as unknown as Scenario<unknown, string, Stages, U, R>, measured, result, concurrent);
      console.log(`\nresults: ${path}`);
    });
  }
  return { summary, run };
}
