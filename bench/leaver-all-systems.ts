/**
 * The leaver across every kind of system the engine speaks (each as its local peer, every answer
 * after 150 ms): from the start of a signed BambooHR termination POST until every system shows
 * the leaver's sessions ended (killed, or the account disabled where a system has no session
 * call), one leaver at a time, against the same first calls (look-up, then kill or disable) made
 * directly and in parallel by connectors built from the same config. Part of `npm run bench -- leaver`.
 */
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../test/harness/bamboohr';
import { startAllSystems, type AllSystems } from '../test/harness/all-systems';
import { startEngine, type TestEngine } from '../test/harness/engine';
import { createConnectors } from '../src/connectors/registry';
import type { Connector } from '../src/connectors/types';
import { systemOfTaskQueue } from '../src/temporal/system-queues';
import { codeVersion, databaseInfo, machine, startTemporal, writeResult, type Benchmark } from './common';
import { githubBudgetSeen, type LeaverWindow } from './github-budget';
import { eventMs } from './history';
import { loadMeter } from './load-meter';
import { latencyMs, minimumN, parseOptions } from './options';
import { summaryHeader, summaryRow } from './print';
import { round, summarise } from './stats';

const targets = { p99Ms: 2000, ratioP50: 2 };
const terminationDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
const groups = ['engineering', 'oncall'];

/** When each system first showed the leaver's sessions ended (epoch ms), polling every pollMs. */
async function ended(world: AllSystems, login: string, pollMs: number, timeoutMs = 30_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, number>();
  for (;;) {
    const now = Date.now();
    for (const s of world.systems) if (!seen.has(s.id) && s.pair.sessionsEnded(login)) seen.set(s.id, now);
    if (seen.size === world.systems.length) return seen;
    if (now > deadline) {
      const open = world.systems.filter((s) => !seen.has(s.id)).map((s) => s.id);
      throw new Error(`sessions still open after ${timeoutMs} ms in ${open.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const lastOf = (seen: Map<string, number>) => Math.max(...seen.values());

/**
 * The leaver's first call chain in each system, straight from connectors built from the engine's
 * own config (the same defaults and pacing), all systems in parallel.
 */
async function direct(connectors: Map<string, Connector>, login: string): Promise<void> {
  await Promise.all(
    [...connectors.entries()].map(async ([id, connector]) => {
      const account = await connector.findAccount(login);
      if (!account) throw new Error(`${id}: no account`);
      await (connector.killSessions ? connector.killSessions(account.id) : connector.disableAccount(account.id));
    }),
  );
}

/** Per system, how long each leaver's first step waited on the system's task queue (scheduled -> started). */
async function firstStepQueueWaits(engine: TestEngine, workflowIds: string[]): Promise<Map<string, number[]>> {
  const waits = new Map<string, number[]>();
  for (const id of workflowIds) {
    const events = (await engine.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const scheduled = new Map<string, { system: string; at: number }>();
    const seen = new Set<string>();
    for (const e of events) {
      const queue = e.activityTaskScheduledEventAttributes?.taskQueue?.name;
      const system = queue ? systemOfTaskQueue(engine.taskQueue, queue) : undefined;
      if (system) scheduled.set(String(e.eventId), { system, at: eventMs(e)! });
      const started = e.activityTaskStartedEventAttributes;
      const step = started ? scheduled.get(String(started.scheduledEventId)) : undefined;
      if (!step || seen.has(step.system)) continue;
      seen.add(step.system);
      waits.set(step.system, [...(waits.get(step.system) ?? []), eventMs(e)! - step.at]);
    }
  }
  return waits;
}

async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const log = (line: string) => console.error(`[bench leaver-all-systems] ${line}`);
  if (options.n < minimumN) log(`--n ${options.n} is below the definition's minimum of ${minimumN}: the figures are indicative only`);
  const temporal = await startTemporal(log);
  let world: AllSystems | undefined;
  let engine: TestEngine | undefined;
  try {
    world = await startAllSystems({ latencyMs });
    log(`systems: ${world.systems.map((s) => s.id).join(', ')}, every answer after ${latencyMs} ms`);
    engine = await startEngine({
      yaml: `${world.systemsYaml}\nsla: { leaverSessionKill: 60s }\n`,
      env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, LOG_LEVEL: 'silent' },
      secrets: world.secrets,
      temporalAddress: temporal.address,
    });
    const connectors = createConnectors(engine.config.file.systems, world.secrets);
    let seq = 0;
    const next = () => {
      const employeeId = String(880_000 + ++seq);
      const login = `bench.all.${employeeId}@acme.test`;
      world!.seedWorker(login, groups);
      return { employeeId, login };
    };
    const load = loadMeter();
    const leaverIds: string[] = [];
    const windows: LeaverWindow[] = [];
    const engineMs: number[] = [];
    const directMs: number[] = [];
    const perSystem = new Map<string, { engine: number[]; direct: number[] }>(world.systems.map((sys) => [sys.id, { engine: [], direct: [] }]));
    const total = options.warmup + options.n;
    for (let i = 0; i < total; i++) {
      const leaver = next();
      const startAt = Date.now();
      const res = await postBambooWebhook(engine.url, terminationDelivery(leaver.employeeId, leaver.login, terminationDate));
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      const leaverId = (res.body.events as { workflowIds: string[] }[])[0]?.workflowIds.find((id) => id.startsWith('leaver-'));
      const engineAt = await ended(world, leaver.login, options.pollMs);
      const baseline = next();
      const directStart = Date.now();
      const watched = ended(world, baseline.login, options.pollMs);
      await direct(connectors, baseline.login);
      const directAt = await watched;
      if (options.gapMs > 0) await new Promise((r) => setTimeout(r, options.gapMs));
      windows.push({ engineLogin: leaver.login, baselineLogin: baseline.login, startAt, directStart, measured: i >= options.warmup });
      if (i < options.warmup) continue;
      if (leaverId) leaverIds.push(leaverId);
      engineMs.push(lastOf(engineAt) - startAt);
      directMs.push(lastOf(directAt) - directStart);
      for (const [id, at] of engineAt) perSystem.get(id)!.engine.push(at - startAt);
      for (const [id, at] of directAt) perSystem.get(id)!.direct.push(at - directStart);
      if ((i + 1 - options.warmup) % 10 === 0) log(`${i + 1 - options.warmup}/${options.n}`);
    }
    const busy = load();
    const queued = await firstStepQueueWaits(engine, leaverIds);
    const github = world.systems.find((sys) => sys.id === 'github');
    const githubBudget = github ? githubBudgetSeen(github.pair.requests(), windows) : undefined;
    const engineSummary = summarise(engineMs);
    const directSummary = summarise(directMs);
    const ratioP50 = round(engineSummary.p50 / directSummary.p50, 2);
    const result = {
      benchmark: 'leaver-all-systems',
      what: 'webhook POST start -> sessions ended in every system (killed, or disabled where the system has no session call), one leaver at a time',
      systems: world.systems.map((sys) => ({
        id: sys.id,
        endsSessionsBy: sys.killsSessions ? 'kill' : 'disable',
        engineMs: summarise(perSystem.get(sys.id)!.engine),
        directMs: summarise(perSystem.get(sys.id)!.direct),
        firstStepQueuedMs: summarise(queued.get(sys.id) ?? [0]),
      })),
      peerLatencyMs: latencyMs,
      n: options.n,
      warmup: options.warmup,
      gapBetweenLeaversMs: options.gapMs,
      ...(githubBudget ? { githubAtThePeer: githubBudget } : {}),
      engineMs: engineSummary,
      directParallelMs: directSummary,
      ratioP50,
      targets,
      met: { p99: engineSummary.p99 <= targets.p99Ms, ratioP50: ratioP50 <= targets.ratioP50 },
      load: busy,
      measuredWith: {
        database: await databaseInfo(engine.db),
        temporal: temporal.kind,
        process: 'API, worker, every peer and the benchmark client share one Node process',
        ...(codeVersion() ? { code: codeVersion() } : {}),
        ...machine(),
      },
    };
    const path = await writeResult(options.gapMs > 0 ? 'leaver-all-systems-quiet' : 'leaver-all-systems', result);
    console.log(`\nleaver, ${world.systems.length} systems (${world.systems.map((s) => s.id).join(', ')}), peers answering after ${latencyMs} ms, n=${options.n}`);
    console.log(summaryHeader());
    console.log(summaryRow('engine: POST -> all ended', engineSummary));
    console.log(summaryRow('direct parallel calls', directSummary));
    console.log(`ratio at p50: ${ratioP50} (target <= ${targets.ratioP50}); p99 ${engineSummary.p99} ms (target <= ${targets.p99Ms})`);
    console.log('\nper system, when its sessions were seen ended');
    for (const sys of world.systems) {
      console.log(summaryRow(`  ${sys.id}: engine`, summarise(perSystem.get(sys.id)!.engine)));
      console.log(summaryRow(`  ${sys.id}: direct`, summarise(perSystem.get(sys.id)!.direct)));
      console.log(summaryRow(`  ${sys.id}: first step queued`, summarise(queued.get(sys.id) ?? [0])));
    }
    if (githubBudget) {
      console.log(
        `\ngithub at the peer: ${githubBudget.engineRequestsPerLeaver} requests (${githubBudget.engineGraphqlPerLeaver} GraphQL) and ${githubBudget.enginePointsPerLeaver} points a leaver; busiest minute ${githubBudget.engineBusiestMinutePoints} points (engine), ${githubBudget.everyoneBusiestMinutePoints} (with the baseline's calls on the same token); GitHub's limit 900`,
      );
    }
    console.log(`\nresults: ${path}`);
  } finally {
    await engine?.close().catch((err: unknown) => log(`engine close: ${(err as Error).message}`));
    await world?.close().catch((err: unknown) => log(`peers close: ${(err as Error).message}`));
    await temporal.stop();
  }
}

export const leaverAllSystemsBenchmark: Benchmark = {
  summary: 'webhook POST -> sessions ended in every kind of system, against direct parallel calls',
  run,
};
