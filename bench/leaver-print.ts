/** The leaver benchmark's printed table: headline figures against the targets, stages, and the concurrent pass. */
import type { ConcurrentResult } from './leaver-concurrent';
import { targetsSet } from './leaver-options';
import type { LeaverResult } from './leaver-result';
import { describeLoad } from './load-meter';
import type { Summary } from './stats';

export function printTable(
  r: Pick<LeaverResult, 'n' | 'ratioP50' | 'latencyMs' | 'database' | 'stages' | 'load'>,
  e: Summary,
  b: Summary,
  concurrent: ConcurrentResult | undefined,
): void {
  const row = (label: string, s: Summary) =>
    `${label.padEnd(28)}${[s.p50, s.p95, s.p99, s.max].map((v) => String(v).padStart(8)).join('')}`;
  const lines = [
    `leaver: n=${r.n}, peers answer after ${r.latencyMs} ms, concurrency 1, ${r.database.kind}`,
    `${''.padEnd(28)}${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(8)).join('')}   (ms)`,
    row('engine  POST -> killed', e),
    row('direct  calls -> killed', b),
    `ratio p50 ${r.ratioP50} (target <= ${targetsSet.ratioP50}: ${r.ratioP50 <= targetsSet.ratioP50 ? 'met' : 'MISSED'}), ` +
      `p99 ${e.p99} ms (target <= ${targetsSet.p99Ms}: ${e.p99 <= targetsSet.p99Ms ? 'met' : 'MISSED'})`,
    describeLoad(r.load),
    '',
    'stages (p50 ms)',
  ];
  const stage = (label: string, s: { p50: number } | null) => {
    lines.push(`  ${label.padEnd(44)}${s ? String(s.p50).padStart(6) : '     -'}`);
  };
  stage('POST -> webhook received', r.stages.postToReceiptMs);
  stage('received -> leaver.started', r.stages.receiptToLeaverStartedMs);
  stage('leaver.started -> last sessions.kill evidence', r.stages.leaverStartedToLastSessionsKillMs);
  for (const [k, v] of Object.entries(r.stages.detail)) stage(`  ${k.replace(/Ms$/, '')}`, v);
  if (concurrent) {
    lines.push(
      '',
      `concurrency ${concurrent.concurrency} (n=${concurrent.n}): engine p50/p95/p99 ${concurrent.p50Ms}/${concurrent.p95Ms}/${concurrent.p99Ms} ms, ` +
        `direct p50 ${concurrent.baselineP50Ms} ms, ratio p50 ${concurrent.ratioP50}, ${concurrent.engineLeaversPerMinute} leavers/min end to end`,
    );
    const cs = concurrent.stages;
    if (cs) {
      const p = (v: { p50: number } | null) => (v ? String(v.p50) : '-');
      lines.push(
        `  stages p50: POST -> received ${p(cs.postToReceiptMs)}, received -> leaver.started ${p(cs.receiptToLeaverStartedMs)}, ` +
          `leaver.started -> first peer look-up ${p(cs.detail.leaverStartedToFirstPeerLookupMs)}, look-up -> killed ${p(cs.detail.firstPeerLookupToKilledMs)}`,
      );
    }
    lines.push(`  ${describeLoad(concurrent.engineLoad)}`);
  }
  console.log(lines.join('\n'));
}
