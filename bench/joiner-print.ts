/** The joiner benchmark's printed table: headline figures, stages, and the concurrent pass. */
import type { ConcurrentResult, JoinerResult } from './joiner-result';
import { describeLoad } from './load-meter';
import { p50Of, stageLine, summaryHeader, summaryRow } from './print';
import type { Summary } from './stats';

export function printTable(
  r: Pick<JoinerResult, 'n' | 'ratioP50' | 'latencyMs' | 'database' | 'stages' | 'load'>,
  e: Summary,
  b: Summary,
  concurrent: ConcurrentResult | undefined,
): void {
  const lines = [
    `joiner: n=${r.n}, peers answer after ${r.latencyMs} ms, concurrency 1, ${r.database.kind}`,
    summaryHeader(),
    summaryRow('engine  POST -> granted', e),
    summaryRow('direct  calls -> granted', b),
    `ratio p50 ${r.ratioP50}`,
    describeLoad(r.load),
    '',
    'stages (p50 ms)',
    stageLine('POST -> webhook received', r.stages.postToReceiptMs),
    stageLine('received -> joiner.started', r.stages.receiptToJoinerStartedMs),
    stageLine('joiner.started -> last account.create', r.stages.joinerStartedToLastAccountCreateMs),
    stageLine('last account.create -> last entitlement.grant', r.stages.lastAccountCreateToLastGrantMs),
    ...Object.entries(r.stages.detail).map(([k, v]) => stageLine(`  ${k.replace(/Ms$/, '')}`, v)),
    '',
    'client time between peer calls, per joiner (p50 ms)',
    stageLine('engine  okta', r.stages.clientGapsBetweenPeerCallsMs.engineOkta),
    stageLine('engine  scim', r.stages.clientGapsBetweenPeerCallsMs.engineScim),
    stageLine('direct  okta', r.stages.clientGapsBetweenPeerCallsMs.baselineOkta),
    stageLine('direct  scim', r.stages.clientGapsBetweenPeerCallsMs.baselineScim),
  ];
  if (concurrent) {
    lines.push(
      '',
      `concurrency ${concurrent.concurrency} (n=${concurrent.n}): engine p50/p95/p99 ${concurrent.p50Ms}/${concurrent.p95Ms}/${concurrent.p99Ms} ms, ` +
        `direct p50 ${concurrent.baselineP50Ms} ms, ratio p50 ${concurrent.ratioP50}, ${concurrent.engineJoinersPerMinute} joiners/min end to end`,
    );
    const cs = concurrent.stages;
    if (cs) {
      lines.push(
        `  stages p50: POST -> received ${p50Of(cs.postToReceiptMs)}, received -> joiner.started ${p50Of(cs.receiptToJoinerStartedMs)}, ` +
          `joiner.started -> first peer look-up ${p50Of(cs.detail.joinerStartedToFirstPeerLookupMs)}, look-up -> granted ${p50Of(cs.detail.firstPeerLookupToGrantedMs)}`,
      );
    }
    lines.push(`  ${describeLoad(concurrent.engineLoad)}`);
  }
  console.log(lines.join('\n'));
}
