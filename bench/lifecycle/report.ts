/** The figures every lifecycle scenario's result carries, and the printed table around the scenario's own lines. */
import { describeLoad } from '../load-meter';
import { latencyMs } from '../options';
import { callsBetween } from '../peer-log';
import { againstRequestLog } from '../peer-watch';
import { summaryHeader, summaryRow } from '../print';
import { measuredWith } from '../rig';
import { median, round } from '../stats';
import type { Common, ConcurrentSection, Measured, Sample, Scenario } from './scenario';

/** Requests the peers saw between a worker's start and its observed state (run alone, so all are its). */
export const callsBefore = (logs: Measured<unknown, string>['logs'], s: Sample) => callsBetween(logs.okta, logs.scim, s.login, s.startAt, s.seen.at);

export function commonFigures<Calls>(scenario: Scenario<Calls, string, unknown, string, object>, m: Measured<Calls, string>): Common {
  const { engine: e, baseline: b, logs } = m;
  const check = (samples: Sample[], calls: Calls[]) =>
    againstRequestLog(samples.map((s, i) => ({ startAt: s.startAt, seenAt: s.seen.at, lowerBound: scenario.lowerBound(calls[i]!) })));
  const engineCheck = check(m.engineSamples, m.engineCalls);
  const baselineCheck = check(m.baselineSamples, m.baselineCalls);
  return {
    headline: {
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
    },
    check: {
      engineFromRequestLogMs: engineCheck.fromRequestLogMs,
      baselineFromRequestLogMs: baselineCheck.fromRequestLogMs,
      enginePollDelayMs: engineCheck.pollDelayMs,
      baselinePollDelayMs: baselineCheck.pollDelayMs,
    },
    poll: { pollCpuMsTotal: round(m.watch.pollCpuMs), polls: m.watch.polls },
    httpCalls: {
      engine: callsBefore(logs, m.engineSamples[0]!),
      baseline: callsBefore(logs, m.baselineSamples[0]!),
      engineCountP50: median(m.engineSamples.map((s) => callsBefore(logs, s).length)),
      baselineCountP50: median(m.baselineSamples.map((s) => callsBefore(logs, s).length)),
    },
    conditions: { latencyMs, concurrency: 1, machineCpuBusyBeforeStartPercent: m.rig.machineCpuBusyBeforeStartPercent, load: m.load },
    measuredWith: measuredWith(m.rig),
  };
}

export function printTable<Stages, U extends string, R extends object>(
  scenario: Scenario<unknown, string, Stages, U, R>,
  m: Measured<unknown, string>,
  result: R,
  concurrent: ConcurrentSection<U, Stages> | undefined,
): void {
  const lines = [
    `${scenario.name}: n=${m.engine.n}, peers answer after ${latencyMs} ms, concurrency 1, ${m.rig.database.kind}`,
    summaryHeader(),
    summaryRow(scenario.print.engineLabel, m.engine),
    summaryRow(scenario.print.baselineLabel, m.baseline),
    ...scenario.print.afterSummary(result),
    describeLoad(m.load),
    '',
    'stages (p50 ms)',
    ...scenario.print.stageLines(result),
  ];
  if (concurrent) {
    const perMinute = (concurrent as unknown as Record<string, number>)[`engine${scenario.unit.charAt(0).toUpperCase()}${scenario.unit.slice(1)}PerMinute`];
    lines.push(
      '',
      `concurrency ${concurrent.concurrency} (n=${concurrent.n}): engine p50/p95/p99 ${concurrent.p50Ms}/${concurrent.p95Ms}/${concurrent.p99Ms} ms, ` +
        `direct p50 ${concurrent.baselineP50Ms} ms, ratio p50 ${concurrent.ratioP50}, ${perMinute} ${scenario.unit}/min end to end`,
    );
    if (concurrent.stages) lines.push(`  stages p50: ${scenario.print.concurrentStages(concurrent.stages)}`);
    lines.push(`  ${describeLoad(concurrent.engineLoad)}`);
  }
  console.log(lines.join('\n'));
}
