/** The leaver result file: the figures, how they were measured, and the checks on the measurement. */
import type { PeerRequest } from '../test/peers/request-log';
import type { ConcurrentResult } from './leaver-concurrent';
import { targetsSet } from './leaver-options';
import { callsBeforeKill, lowerBoundKilledAt, type PeerCalls } from './leaver-peer-calls';
import { killMs, type Sample } from './leaver-sample';
import { sequentialStages, timelineFromPost, type Milestones } from './leaver-stages';
import type { Load } from './load-meter';
import { latencyMs, type Options } from './options';
import { againstRequestLog, type PeerWatch } from './peer-watch';
import { measuredWith, type Rig } from './rig';
import { median, round, summarise, type Summary } from './stats';

export interface Measured {
  options: Options;
  /** The sequential pass, each engine leaver followed by one baseline leaver. */
  engineSamples: Sample[];
  baselineSamples: Sample[];
  engineCalls: PeerCalls[];
  baselineCalls: PeerCalls[];
  /** Milestones of the sequential engine leavers. */
  rows: Milestones[];
  oktaLog: PeerRequest[];
  scimLog: PeerRequest[];
  watch: PeerWatch;
  rig: Rig;
  /** Load during the sequential pass. */
  load: Load;
  terminationDate: string;
  concurrent: ConcurrentResult | undefined;
}

export type LeaverResult = ReturnType<typeof assemble>;

/** The result file's content, with the engine's and the baseline's summaries of the sequential pass. */
export function leaverResult(m: Measured): { result: LeaverResult; engine: Summary; baseline: Summary } {
  const engine = summarise(m.engineSamples.map(killMs));
  const baseline = summarise(m.baselineSamples.map(killMs));
  return { result: assemble(m, engine, baseline), engine, baseline };
}

function assemble(m: Measured, e: Summary, b: Summary) {
  const { options, engineSamples, baselineSamples, engineCalls, baselineCalls, oktaLog, scimLog, concurrent, rig } = m;
  const check = (samples: Sample[], calls: PeerCalls[]) =>
    againstRequestLog(samples.map((s, i) => ({ startAt: s.startAt, seenAt: s.killed.at, lowerBound: lowerBoundKilledAt(calls[i]!) })));
  const engineCheck = check(engineSamples, engineCalls);
  const baselineCheck = check(baselineSamples, baselineCalls);
  const ratioP50 = round(e.p50 / b.p50, 2);
  return {
    benchmark: 'leaver',
    definition:
      'time from the start of the BambooHR termination webhook POST to sessions killed in every system ' +
      '(Okta peer: session count 0; SCIM server: user active=false), target-system peers answering after 150 ms; ' +
      'baseline: the same HTTP calls made directly, the two systems in parallel',
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
    ratioP50,
    targets: { ...targetsSet, p99Met: e.p99 <= targetsSet.p99Ms, ratioP50Met: ratioP50 <= targetsSet.ratioP50 },
    percentiles: 'nearest rank',
    measuredAt:
      `first poll (every ${options.pollMs} ms, in the benchmark process) at which the peer state shows the kill in both systems: ` +
      'Okta peer sessionsOf(login) === 0 and SCIM user(login).active === false. The peers apply their latency before the handler, ' +
      'then change state and send the response in the same tick, so this is the moment the last kill response was sent, ' +
      'observed up to one poll interval (plus event-loop delay) late; the same watch times engine and baseline.',
    measurementCheck: {
      note:
        'lower bound of the same moment from the peers\' request logs: arrival of the later kill request (Okta DELETE sessions, SCIM PATCH active) + 150 ms; ' +
        'pollDelayMs is how much later the poll saw it',
      engineFromRequestLogMs: engineCheck.fromRequestLogMs,
      baselineFromRequestLogMs: baselineCheck.fromRequestLogMs,
      enginePollDelayMs: engineCheck.pollDelayMs,
      baselinePollDelayMs: baselineCheck.pollDelayMs,
      pollCpuMsTotal: round(m.watch.pollCpuMs),
      polls: m.watch.polls,
    },
    baselineClient:
      "the project's own connectors, built as the engine builds them: OktaConnector.findAccount (GET /api/v1/users/{login}) then killSessions " +
      '(DELETE /api/v1/users/{id}/sessions?oauthTokens=true), in parallel with ScimConnector.findAccount (GET /Users?filter=userName eq "...") ' +
      'then disableAccount (SCIM has no session kill: PATCH active=false; the connector then re-reads the user to verify, after the measured moment)',
    httpCallsBeforeKill: {
      engine: callsBeforeKill(oktaLog, scimLog, engineSamples[0]!),
      baseline: callsBeforeKill(oktaLog, scimLog, baselineSamples[0]!),
      engineCountP50: median(engineSamples.map((s) => callsBeforeKill(oktaLog, scimLog, s).length)),
      baselineCountP50: median(baselineSamples.map((s) => callsBeforeKill(oktaLog, scimLog, s).length)),
    },
    latencyMs,
    concurrency: 1,
    machineCpuBusyBeforeStartPercent: rig.machineCpuBusyBeforeStartPercent,
    load: m.load,
    order: 'each engine leaver (waited for until its workflow completed) is followed by one baseline leaver, so both see the same conditions',
    warmup: options.warmup,
    terminationDate: m.terminationDate,
    ...measuredWith(rig),
    stages: sequentialStages(m.rows, baselineSamples, baselineCalls),
    timelineFromPostMs: timelineFromPost(m.rows),
    ...(concurrent ? { concurrent } : {}),
    durationSeconds: round((Date.now() - rig.began) / 1000),
  };
}
