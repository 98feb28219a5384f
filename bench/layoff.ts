/**
 * `npm run bench -- layoff`: a layoff of N workers (default 1,000) through the webhook door, and
 * the time until every one of them has lost their sessions in every system.
 *
 * Scenarios (each on a fresh Temporal dev server, engine and peers):
 *  - `one`: N terminations in one field-based BambooHR delivery;
 *  - `singles`: N single-employee deliveries, `--batch` (50) in flight at a time;
 *  - `rate`: one delivery again, with the Okta peer enforcing Okta's documented rate-limit buckets.
 * The peers (Okta and SCIM, every answer after 150 ms) run in a process of their own, so the CPU
 * of the engine (API + worker, as `jml dev` runs them, with this benchmark's client), of the
 * Temporal dev server, of the peers and of Postgres is reported apart.
 */
import { oktaConnector } from '../src/connectors/okta';
import { startEngine, type TestEngine } from '../test/harness/engine';
import { bambooSecret, postBambooWebhook } from '../test/harness/bamboohr';
import { countActions } from '../test/harness/actions';
import { codeVersion, machine, namedProcessesCpuMs, startTemporal, UsageError, writeResult, type Benchmark } from './common';
import { latencyMs } from './options';
import { refusals, sessionsFloor, untilNextWindow } from './layoff-rates';
import { pidCpuMs, temporalPid } from './process-cpu';
import { startPeersProcess, type Ended, type PeerStats } from './peers-process';
import { round, summarise, type Summary } from './stats';
import { benchArgs, wholeNumber } from './args';

type Scenario = 'one' | 'singles' | 'rate';
const scenarios: readonly Scenario[] = ['one', 'singles', 'rate'];
const goalMs = 60_000;
const oktaConcurrency = oktaConnector.limits.maxConcurrency;

interface Options {
  count: number;
  batch: number;
  scenarios: Scenario[];
  timeoutMs: number;
  actionsSample: number;
}

function parseOptions(args: string[]): Options {
  const values = benchArgs(args, {
    count: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '50' },
    scenario: { type: 'string', default: scenarios.join(',') },
    'timeout-s': { type: 'string', default: '900' },
    'actions-sample': { type: 'string', default: '50' },
  });
  const int = (name: string, raw: string) => wholeNumber(name, raw, 1);
  const picked = values.scenario.split(',').map((s) => s.trim());
  const bad = picked.filter((s) => !scenarios.includes(s as Scenario));
  if (bad.length > 0) throw new UsageError(`--scenario: unknown ${bad.join(', ')}; known: ${scenarios.join(', ')}`);
  return {
    count: int('count', values.count),
    batch: int('batch', values.batch),
    scenarios: picked as Scenario[],
    timeoutMs: int('timeout-s', values['timeout-s']) * 1000,
    actionsSample: int('actions-sample', values['actions-sample']),
  };
}

const nonNegative = (n: number) => (n >= 0 ? n : null);
const log = (line: string) => console.error(`[bench layoff] ${line}`);
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

function termination(employeeId: string, login: string, date: string) {
  return {
    id: employeeId,
    action: 'Updated',
    timestamp: new Date().toISOString(),
    changedFields: ['status', 'terminationDate'],
    fields: { workEmail: login, firstName: 'Laid', lastName: 'Off', status: 'Inactive', hireDate: '2020-01-06', terminationDate: date },
  };
}

interface ScenarioResult {
  scenario: Scenario;
  leavers: number;
  deliveries: number;
  /** First POST to its answer (`one`), or to the last answer (`singles`). */
  answeredMs: number;
  /** First POST to the last worker's sessions ended in every system. */
  lastSessionsEndedMs: number;
  /** First POST to the last leaver workflow closed (accounts disabled, entitlements revoked). */
  allCompletedMs: number;
  sessionsEndedMs: Summary;
  withinGoal: number;
  goalMs: number;
  goalMet: boolean;
  /** `rate`: the time Okta's buckets allow for the session-ending calls, and how close the engine came. */
  floor?: { ms: number; bucket: string; calls: number; perMinute: number; ratio: number; goal: string; goalMet: boolean };
  /** `rate`: the 429s the Okta peer sent, by bucket. */
  refused?: ReturnType<typeof refusals>;
  cpuSeconds: { engine: number; temporal: number; peers: number; postgres: number | null; perLeaver: number; perLeaverEngineAndTemporal: number };
  actionsPerLeaver: { sampled: number; mean: number; max: number; byKind: Record<string, number> };
  evidence: { rows: number; appendsPerSecond: number };
  peers: PeerStats;
  /** Activity attempts after the first among the sampled leavers, by activity and the failure before them. */
  retries: { activity: string; lastFailure: string; attempts: number }[];
}

async function runScenario(scenario: Scenario, o: Options): Promise<ScenarioResult> {
  log(`${scenario}: starting Temporal, peers and engine`);
  const temporal = await startTemporal(log);
  const peers = await startPeersProcess({ latencyMs, ...(scenario === 'rate' ? { oktaRateLimits: 'documented' as const } : {}) });
  let engine: TestEngine | undefined;
  try {
    engine = await startEngine({
      yaml: `${peers.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 30m }\n`,
      env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent' },
      secrets: peers.secrets,
      temporalAddress: temporal.address,
    });
    const base = 8_000_000 + Math.floor(Math.random() * 900_000) * 10;
    const workers = Array.from({ length: o.count }, (_, i) => ({ id: String(base + i), login: `laid.off.${base + i}@acme.test` }));
    // Workers spread over 20 department groups, as a company's teams are.
    await peers.seed(workers.map((w) => w.login), Array.from({ length: 20 }, (_, i) => `dept-${i + 1}`));

    const ended: Ended[] = [];
    const allEnded = new Promise<void>((resolve) =>
      peers.watch(workers.map((w) => w.login), (e) => {
        ended.push(e);
        if (ended.length === workers.length) resolve();
      }),
    );
    const tempPid = temporalPid();
    const cpu0 = { engine: process.cpuUsage(), temporal: pidCpuMs(tempPid), peers: pidCpuMs(peers.pid), postgres: namedProcessesCpuMs('postgres') };
    const date = yesterday();
    if (scenario === 'rate') {
      // Okta's windows turn over on whole minutes: start on one, so the floor is what the buckets allow.
      const wait = untilNextWindow();
      log(`${scenario}: waiting ${Math.round(wait / 1000)} s for the next rate-limit window`);
      await new Promise((r) => setTimeout(r, wait));
    }
    const t0 = Date.now();
    let answeredMs: number;
    if (scenario === 'singles') {
      let next = 0;
      await Promise.all(
        Array.from({ length: o.batch }, async () => {
          while (next < workers.length) {
            const w = workers[next++]!;
            const res = await postBambooWebhook(engine!.url, { employees: [termination(w.id, w.login, date)] });
            if (res.status !== 202) throw new Error(`a delivery was answered ${res.status}`);
          }
        }),
      );
      answeredMs = Date.now() - t0;
    } else {
      const res = await postBambooWebhook(engine.url, { employees: workers.map((w) => termination(w.id, w.login, date)) });
      if (res.status !== 202) throw new Error(`the delivery was answered ${res.status}`);
      answeredMs = Date.now() - t0;
    }
    log(`${scenario}: ${o.count} terminations answered after ${answeredMs} ms`);
    const progress = setInterval(() => log(`${scenario}: ${Math.round((Date.now() - t0) / 1000)} s, ${ended.length}/${workers.length} without sessions`), 10_000);
    const timedOut = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), o.timeoutMs).unref());
    const outcome = await Promise.race([allEnded, timedOut]);
    clearInterval(progress);
    if (outcome === 'timeout') throw new Error(`${scenario}: only ${ended.length} of ${workers.length} leavers lost their sessions within ${o.timeoutMs / 1000} s`);
    const engineCpu = process.cpuUsage(cpu0.engine);
    const cpu = {
      engine: (engineCpu.user + engineCpu.system) / 1e6,
      temporal: (pidCpuMs(tempPid) - cpu0.temporal) / 1000,
      peers: (pidCpuMs(peers.pid) - cpu0.peers) / 1000,
      // Backends that ended during the run take their CPU with them: a lower bound, unknown when it went negative.
      postgres: cpu0.postgres === undefined ? null : nonNegative(((namedProcessesCpuMs('postgres') ?? 0) - cpu0.postgres) / 1000),
    };
    const times = ended.map((e) => Math.max(e.oktaAt, e.scimAt) - t0);
    const last = Math.max(...times);
    // Disabling and revoking go on after the sessions have ended: wait for every leaver to finish
    // before counting Actions and evidence.
    const completedMs = await allLeaversClosed(engine, t0, o.timeoutMs);
    const peerStats = await peers.stats();
    const evidence = await evidenceRate(engine, workers.map((w) => w.id));
    const { actions, retries: retried } = await sampleHistories(engine, workers.map((w) => w.id), o.actionsSample);
    const floor = scenario === 'rate' ? sessionsFloor(workers.length, oktaConcurrency, latencyMs) : undefined;
    return {
      scenario,
      leavers: workers.length,
      deliveries: scenario === 'singles' ? workers.length : 1,
      answeredMs,
      lastSessionsEndedMs: last,
      allCompletedMs: completedMs,
      sessionsEndedMs: summarise(times),
      withinGoal: times.filter((t) => t <= goalMs).length,
      goalMs,
      goalMet: last <= goalMs,
      ...(floor ? { floor: { ...floor, ratio: round(last / floor.ms, 2), goal: 'within 1.2 x the floor', goalMet: last <= 1.2 * floor.ms } } : {}),
      ...(peerStats.okta.rateLimits ? { refused: refusals(peerStats.okta.rateLimits) } : {}),
      cpuSeconds: {
        ...cpu,
        perLeaver: round((cpu.engine + cpu.temporal + cpu.peers + (cpu.postgres ?? 0)) / workers.length, 3),
        perLeaverEngineAndTemporal: round((cpu.engine + cpu.temporal) / workers.length, 3),
      },
      actionsPerLeaver: actions,
      evidence,
      peers: peerStats,
      retries: retried,
    };
  } finally {
    await engine?.close().catch((err: unknown) => log(`engine close: ${(err as Error).message}`));
    await peers.stop().catch(() => {});
    await temporal.stop();
  }
}

/** Waits until no leaver workflow is running; ms from `t0`. */
async function allLeaversClosed(engine: TestEngine, t0: number, timeoutMs: number): Promise<number> {
  const query = 'WorkflowId STARTS_WITH "leaver-" AND ExecutionStatus = "Running"';
  for (;;) {
    const { count } = await engine.client.workflow.count(query);
    if (count === 0) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${count} leaver workflows still running after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Evidence rows the layoff wrote, and how fast: first to last row recorded. */
async function evidenceRate(engine: TestEngine, employeeIds: string[]) {
  const { rows } = await engine.db.query<{ n: string; seconds: string | null }>(
    `SELECT count(*) AS n, extract(epoch FROM max(recorded_at) - min(recorded_at)) AS seconds FROM evidence_events WHERE employee_id = ANY($1)`,
    [employeeIds],
  );
  const n = Number(rows[0]?.n ?? 0);
  const seconds = Number(rows[0]?.seconds ?? 0);
  return { rows: n, appendsPerSecond: seconds > 0 ? round(n / seconds) : n };
}

/** Every k-th of the IDs, `sample` of them. */
function sampleOf(ids: string[], sample: number): string[] {
  const step = Math.max(1, Math.floor(ids.length / sample));
  return ids.filter((_, i) => i % step === 0).slice(0, sample);
}

/**
 * From one read of each history of a sample of the leavers (their entity and leaver workflows):
 * Actions as Temporal Cloud counts them, and every activity attempt after the first, by activity
 * and the failure before it.
 */
async function sampleHistories(engine: TestEngine, employeeIds: string[], sample: number) {
  const picked = sampleOf(employeeIds, sample);
  const totals: number[] = [];
  const byKind: Record<string, number> = {};
  const retries = new Map<string, { activity: string; lastFailure: string; attempts: number }>();
  for (const id of picked) {
    const ids = [`employee-bamboohr-${id}`];
    for await (const w of engine.client.workflow.list({ query: `WorkflowId STARTS_WITH "leaver-bamboohr-${id}-"` })) ids.push(w.workflowId);
    let total = 0;
    for (const workflowId of ids) {
      const events = (await engine.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const count = countActions(events);
      total += count.total;
      for (const [k, v] of Object.entries(count.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
      retriesIn(events, retries);
    }
    totals.push(total);
  }
  return {
    actions: {
      sampled: picked.length,
      mean: round(totals.reduce((a, b) => a + b, 0) / totals.length, 2),
      max: Math.max(...totals),
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, round(v / picked.length, 2)])),
    },
    retries: [...retries.values()].sort((a, b) => b.attempts - a.attempts),
  };
}

type HistoryEvents = Parameters<typeof countActions>[0];

function retriesIn(events: HistoryEvents, into: Map<string, { activity: string; lastFailure: string; attempts: number }>): void {
  const scheduled = new Map<string, string>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '?');
    const st = e.activityTaskStartedEventAttributes;
    if (!st || (st.attempt ?? 1) <= 1) continue;
    const activity = scheduled.get(String(st.scheduledEventId)) ?? '?';
    const lastFailure = (st.lastFailure?.message ?? '').replace(/[0-9a-f-]{20,}/g, '…');
    const key = `${activity} ${lastFailure}`;
    const c = into.get(key) ?? { activity, lastFailure, attempts: 0 };
    c.attempts += (st.attempt ?? 1) - 1;
    into.set(key, c);
  }
}

function table(results: ScenarioResult[]): string {
  const rows = results.map((r) =>
    [
      r.scenario,
      r.leavers,
      r.answeredMs,
      r.lastSessionsEndedMs,
      r.allCompletedMs,
      r.sessionsEndedMs.p50,
      r.sessionsEndedMs.p99,
      `${r.withinGoal}/${r.leavers}`,
      r.floor ? `${r.floor.ms} (${r.floor.ratio}x)` : '-',
      r.peers.okta.rateLimited,
      r.cpuSeconds.perLeaverEngineAndTemporal,
      r.actionsPerLeaver.mean,
      r.evidence.appendsPerSecond,
    ].join(' | '),
  );
  return [
    'scenario | leavers | answered ms | last sessions ended ms | all completed ms | p50 ms | p99 ms | within 60 s | floor ms | Okta 429s | CPU s/leaver (engine+Temporal) | Actions/leaver | evidence appends/s',
    ...rows,
  ].join('\n');
}

export const layoffBenchmark: Benchmark = {
  summary: 'a layoff: N terminations in one delivery, as N single deliveries, and under Okta rate limits -> time to the last sessions ended',
  async run(args) {
    const o = parseOptions(args);
    const results: ScenarioResult[] = [];
    for (const scenario of o.scenarios) results.push(await runScenario(scenario, o));
    const path = await writeResult('layoff', {
      benchmark: 'layoff',
      measuredAt: new Date().toISOString(),
      definition: {
        goal: `every leaver's sessions ended in every system within ${goalMs / 1000} s of the first POST`,
        peers: `Okta peer and SCIM server in a process of their own, every answer after ${latencyMs} ms`,
        timing: 'a worker counts as done when the peers first show no Okta sessions and an inactive SCIM account (polled every 20 ms)',
        cpu: 'engine = this process (API, worker and the benchmark client, as `jml dev` runs API and worker together); temporal = the dev server; postgres = every postgres process on the machine',
      },
      options: o,
      ...(codeVersion() ? { code: codeVersion() } : {}),
      machine: machine(),
      results,
    });
    console.log(table(results));
    log(`results written to ${path}`);
  },
};


