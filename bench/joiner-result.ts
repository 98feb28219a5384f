/** The joiner result file: the figures, how they were measured, and the checks on the measurement. */
import type { PeerRequest } from '../test/peers/request-log';
import type { ConcurrentFigures } from './concurrent';
import { callsBeforeGranted, lowerBoundGrantedAt, type PeerCalls } from './joiner-peer-calls';
import { grantedMs, groups, hireDate, policyYaml, type Sample } from './joiner-sample';
import { sequentialStages, timelineFromPost, type Milestones, type Stages } from './joiner-stages';
import type { Load } from './load-meter';
import { latencyMs, type Options } from './options';
import { againstRequestLog, delayBySystem, type PeerWatch } from './peer-watch';
import { measuredWith, type Rig } from './rig';
import { median, round, summarise, type Summary } from './stats';

/** The `concurrent` section of the result file. */
export type ConcurrentResult = ConcurrentFigures<'joiners'> & {
  /** Added once the engine joiners' evidence and histories have been read. */
  stages?: Stages;
};

export interface Measured {
  options: Options;
  /** The sequential pass, each engine joiner followed by one baseline joiner. */
  engineSamples: Sample[];
  baselineSamples: Sample[];
  engineCalls: PeerCalls[];
  baselineCalls: PeerCalls[];
  /** Milestones of the sequential engine joiners. */
  rows: Milestones[];
  oktaLog: PeerRequest[];
  scimLog: PeerRequest[];
  watch: PeerWatch;
  rig: Rig;
  /** Load during the sequential pass. */
  load: Load;
  concurrent: ConcurrentResult | undefined;
}

export type JoinerResult = ReturnType<typeof assemble>;

/** The result file's content, with the engine's and the baseline's summaries of the sequential pass. */
export function joinerResult(m: Measured): { result: JoinerResult; engine: Summary; baseline: Summary } {
  const engine = summarise(m.engineSamples.map(grantedMs));
  const baseline = summarise(m.baselineSamples.map(grantedMs));
  return { result: assemble(m, engine, baseline), engine, baseline };
}

function assemble(m: Measured, e: Summary, b: Summary) {
  const { options, engineSamples, baselineSamples, engineCalls, baselineCalls, oktaLog, scimLog, concurrent, rig } = m;
  const check = (samples: Sample[], calls: PeerCalls[]) =>
    againstRequestLog(samples.map((s, i) => ({ startAt: s.startAt, seenAt: s.granted.at, lowerBound: lowerBoundGrantedAt(calls[i]!) })));
  const engineCheck = check(engineSamples, engineCalls);
  const baselineCheck = check(baselineSamples, baselineCalls);
  const bySystem = (samples: Sample[], calls: PeerCalls[]) =>
    delayBySystem(
      samples.map((s, i) => ({
        seen: s.granted,
        oktaLowerBound: calls[i]!.oktaGrant && calls[i]!.oktaGrant.at + latencyMs,
        scimLowerBound: calls[i]!.scimGrant && calls[i]!.scimGrant.at + latencyMs,
      })),
    );
  return {
    benchmark: 'joiner',
    definition:
      'time from the start of the signed BambooHR hire webhook POST to every account created and every entitlement granted in both systems ' +
      `(Okta peer: user exists and is in group "${groups.okta}"; SCIM server: user exists and is a member of group "${groups.scim}"), ` +
      'target-system peers answering after 150 ms; baseline: the same accounts and groups made directly, the two systems in parallel',
    n: e.n,
    p50Ms: e.p50,
    p95Ms: e.p95,
    p99Ms: e.p99,
    maxMs: e.max,
    minMs: e.min,
    meanMs: e.mean,
    baselineP50Ms: b.p50,
    baselineP95Ms: b.p95,
    baselineP99Ms: b.p99,
    baselineMaxMs: b.max,
    ratioP50: round(e.p50 / b.p50, 2),
    percentiles: 'nearest rank',
    measuredAt:
      `first poll (every ${options.pollMs} ms, in the benchmark process) at which the peer state shows the grants in both systems: ` +
      `Okta peer user(login).groups includes "${groups.okta}" and SCIM user(login).groups includes "${groups.scim}" (either implies the account exists). ` +
      'Both peers hold every request for 150 ms before its handler runs; the handler then adds the member and sends the answer without further waiting ' +
      '(Okta: in the same tick; SCIM: a few promise steps inside scimmy, no I/O or timer), so this is the moment the last group response was sent, ' +
      'observed up to one poll interval (plus event-loop delay) late; the same watch times engine and baseline.',
    measurementCheck: {
      note:
        "lower bound of the same moment from the peers' request logs: arrival of the later group request " +
        '(Okta PUT /api/v1/groups/{gid}/users/{uid}, SCIM PATCH /Groups/{id} adding the member) + 150 ms; pollDelayMs is how much later the poll saw it',
      engineFromRequestLogMs: engineCheck.fromRequestLogMs,
      baselineFromRequestLogMs: baselineCheck.fromRequestLogMs,
      enginePollDelayMs: engineCheck.pollDelayMs,
      baselinePollDelayMs: baselineCheck.pollDelayMs,
      delayBySystemMs: {
        note: "per system: when the poll saw that peer's membership, minus its own group request's arrival + 150 ms",
        engine: bySystem(engineSamples, engineCalls),
        baseline: bySystem(baselineSamples, baselineCalls),
      },
      pollCpuMsTotal: round(m.watch.pollCpuMs),
      polls: m.watch.polls,
    },
    baselineClient:
      "the project's own connectors, built as the engine builds them: OktaConnector.createAccount (POST /api/v1/users?activate=true) then " +
      `grantEntitlement("group:${groups.okta}") (PUT /api/v1/groups/{gid}/users/{uid}), in parallel with ScimConnector.createAccount (POST /Users, active) then ` +
      `grantEntitlement("group:${groups.scim}") (PATCH /Groups/{id} add member). Group IDs are looked up once per connector and kept, as the engine's connectors keep them; ` +
      "the baseline does not first look for an existing account, which the engine does before creating and again before granting",
    httpCallsBeforeGranted: {
      engine: callsBeforeGranted(oktaLog, scimLog, engineSamples[0]!),
      baseline: callsBeforeGranted(oktaLog, scimLog, baselineSamples[0]!),
      engineCountP50: median(engineSamples.map((s) => callsBeforeGranted(oktaLog, scimLog, s).length)),
      baselineCountP50: median(baselineSamples.map((s) => callsBeforeGranted(oktaLog, scimLog, s).length)),
    },
    latencyMs,
    concurrency: 1,
    machineCpuBusyBeforeStartPercent: rig.machineCpuBusyBeforeStartPercent,
    load: m.load,
    order: 'each engine joiner (waited for until its workflow completed) is followed by one baseline joiner, so both see the same conditions',
    groupSize:
      'after each engine + baseline pair, off the clock, the bench takes both joiners back out of the two groups (accounts stay), so every joiner is granted into ' +
      'a group of the same small size: the SCIM server (scimmy) validates every member on each PATCH /Groups, so its handler time after the 150 ms grows with the group ' +
      '(about 10 ms at a few members, 30-60 ms at 100-300 on this machine) and would otherwise drift into later samples of both engine and baseline',
    warmup: options.warmup,
    hire: {
      delivery: 'field-based BambooHR webhook, action Created, status Active, department Engineering, signed X-BambooHR-Signature',
      hireDate,
      note: 'a start date long past: the worker has started, so the joiner provisions at once and creates the accounts active; every joiner has a fresh employee ID and login',
    },
    policy: policyYaml,
    ...measuredWith(rig),
    stages: sequentialStages(m.rows, engineSamples, baselineSamples, baselineCalls, { okta: oktaLog, scim: scimLog }),
    timelineFromPostMs: timelineFromPost(m.rows),
    ...(concurrent ? { concurrent } : {}),
    durationSeconds: round((Date.now() - rig.began) / 1000),
  };
}
