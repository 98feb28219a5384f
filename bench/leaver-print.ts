/** The leaver benchmark's printed table: headline figures against the targets, stages, and the concurrent pass. */
import type { ConcurrentResult } from './leaver-concurrent';
import { targetsSet } from './leaver-options';
import type { LeaverResult } from './leaver-result';
import { describeLoad } from './load-meter';
import { p50Of, stageLine, summaryHeader, summaryRow } from './print';
import type { Summary } from './stats';

export function printTable(
  r: Pick<LeaverResult, 'n' | 'ratioP50' | 'latencyMs' | 'database' | 'stages' | 'load'>,
  e: Summary,
  b: Summary,
  concurrent: ConcurrentResult | undefined,
): void {
  const lines = [
    `leaver: n=${r.n}, peers answer after ${r.latencyMs} ms, concurrency 1, ${r.database.kind}`,
    summaryHeader(),
    summaryRow('engine  POST -> killed', e),
    summaryRow('direct  calls -> killed', b),
    `ratio p50 ${r.ratioP50} (target <= ${targetsSet.ratioP50}: ${r.ratioP50 <= targetsSet.ratioP50 ? 'met' : 'MISSED'}), ` +
      `p99 ${e.p99} ms (target <= ${targetsSet.p99Ms}: ${e.p99 <= targetsSet.p99Ms ? 'met' : 'MISSED'})`,
    describeLoad(r.load),
    '',
    'stages (p50 ms)',
    stageLine('POST -> webhook received', r.stages.postToReceiptMs),
    stageLine('received -> leaver.started', r.stages.receiptToLeaverStartedMs),
    stageLine('leaver.started -> last sessions.kill evidence', r.stages.leaverStartedToLastSessionsKillMs),
    ...Object.entries(r.stages.detail).map(([k, v]) => stageLine(`  ${k.replace(/Ms$/, '')}`, v)),
  ];
  if (concurrent) {
    lines.push(
      '',
      `concurrency ${concurrent.concurrency} (n=${concurrent.n}): engine p50/p95/p99 ${concurrent.p50Ms}/${concurrent.p95Ms}/${concurrent.p99Ms} ms, ` +
        `direct p50 ${concurrent.baselineP50Ms} ms, ratio p50 ${concurrent.ratioP50}, ${concurrent.engineLeaversPerMinute} leavers/min end to end`,
    );
    const cs = concurrent.stages;
    if (cs) {
      lines.push(
        `  stages p50: POST -> received ${p50Of(cs.postToReceiptMs)}, received -> leaver.started ${p50Of(cs.receiptToLeaverStartedMs)}, ` +
          `leaver.started -> first peer look-up ${p50Of(cs.detail.leaverStartedToFirstPeerLookupMs)}, look-up -> killed ${p50Of(cs.detail.firstPeerLookupToKilledMs)}`,
      );
    }
    lines.push(`  ${describeLoad(concurrent.engineLoad)}`);
  }
  console.log(lines.join('\n'));
}
