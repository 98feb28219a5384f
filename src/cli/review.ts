import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config/load';
import { dataConverterFor } from '../temporal/codec';
import { connectClient, temporalTarget } from '../temporal/connect';
import { campaignIdPattern } from '../reviews/ids';
import { parseScope, ScopeError, startReviewCampaign } from '../reviews/start';
import type { ReviewStore } from '../reviews/store';
import type { Campaign } from '../reviews/types';
import { loadReviewReport, renderReviewReport, reviewReportFormats, type ReviewReportFormat } from '../reports/access-review';
import { allOptions, stringOption, UsageError, type ParsedArgs } from './args';

/** `jml review start [--scope system=ID|entitlement=PATTERN|department=NAME ...]`: opens a campaign now. */
export async function runReviewStart(args: ParsedArgs, print: (line: string) => void): Promise<number> {
  let scope;
  try {
    scope = allOptions(args, 'scope').length > 0 ? parseScope(allOptions(args, 'scope')) : undefined;
  } catch (err) {
    if (err instanceof ScopeError) throw new UsageError(`--scope: ${err.message}`);
    throw err;
  }
  const config = await loadConfig();
  const unknown = (scope?.systems ?? []).filter((s) => !config.file.systems.some((c) => c.id === s));
  if (unknown.length > 0) throw new UsageError(`--scope: system "${unknown[0]}" is not configured (systems: ${config.file.systems.map((s) => s.id).join(', ') || 'none'})`);
  const client = await connectClient(temporalTarget({ namespace: config.env.TEMPORAL_NAMESPACE }), dataConverterFor(config.env));
  try {
    const campaignId = await startReviewCampaign(client, { taskQueue: config.env.TEMPORAL_TASK_QUEUE, reviews: config.file.reviews, ...(scope ? { scope } : {}) });
    print(`access review ${campaignId} started: every active worker's access is read from ${scope?.systems?.join(', ') ?? 'every system'}, then each reviewer is asked`);
    print(`  due in ${Math.round(config.file.reviews.dueAfter / 86_400_000)} day(s); follow it with: jml review status --campaign ${campaignId}`);
    return 0;
  } finally {
    await client.connection.close();
  }
}

/** `jml review status [--campaign ID]`: completion per reviewer and per department (the latest campaign by default). */
export async function runReviewStatus(store: ReviewStore, args: ParsedArgs, print: (line: string) => void): Promise<number> {
  const asked = stringOption(args, 'campaign');
  if (asked !== undefined && !campaignIdPattern.test(asked)) throw new UsageError(`--campaign: "${asked}" is not a campaign ID (e.g. review-2027-Q1)`);
  const campaign = asked ? await store.campaign(asked) : (await store.campaigns(1))[0];
  if (!campaign) {
    print(asked ? `no campaign ${asked}` : 'no access review has been started yet (jml review start)');
    return asked ? 1 : 0;
  }
  const report = (await loadReviewReport(store, campaign.campaignId))!;
  print(`${campaign.campaignId}: ${campaign.status}, opened ${campaign.openedAt.slice(0, 10)}, due ${campaign.dueAt.slice(0, 10)}${campaign.closedAt ? `, closed ${campaign.closedAt.slice(0, 10)}` : ''}`);
  print(`  ${snapshotLine(campaign)}`);
  const s = report.summary;
  print(`  items ${s.items}: kept ${s.kept}, revoked ${s.revoked}, pending ${s.pending}, not reviewed ${s.unreviewed}`);
  print('by department:');
  for (const d of report.byDepartment) print(`  ${completionLine(d.key || '(no department)', d)}`);
  print('by reviewer:');
  for (const r of report.byReviewer) print(`  ${completionLine(reviewerLabel(r.key), r)}`);
  return 0;
}

/** `jml report access-review --campaign ID --format csv|json|pdf [--out FILE]`. */
export async function runReportAccessReview(store: ReviewStore, args: ParsedArgs, write: (text: string | Buffer) => void): Promise<number> {
  const campaignId = stringOption(args, 'campaign', true);
  const format = stringOption(args, 'format') ?? 'csv';
  const out = stringOption(args, 'out');
  if (!(reviewReportFormats as readonly string[]).includes(format)) throw new UsageError(`--format: "${format}" (use ${reviewReportFormats.join(', ')})`);
  if (format === 'pdf' && !out) throw new UsageError('--format pdf needs --out FILE');
  const rendered = await renderReviewReport(store, campaignId, format as ReviewReportFormat);
  if (!rendered) throw new UsageError(`--campaign: no campaign ${campaignId}`);
  if (out) await writeFile(out, rendered.body);
  else write(rendered.body);
  return 0;
}

function snapshotLine(c: Campaign): string {
  if (!c.snapshot) return 'snapshot: being taken';
  const systems = c.snapshot.systems.map((s) => `${s.system} ${s.status === 'succeeded' ? `${s.accounts} accounts` : `FAILED (${s.error ?? 'no reason'})`}`).join(', ');
  return `snapshot: ${c.snapshot.workers} active workers; ${systems}${c.snapshot.withinBudget ? '' : ' (over the snapshot budget)'}`;
}

function completionLine(label: string, r: { items: number; decided: number; lastDecidedAt?: string }): string {
  const share = r.items === 0 ? 100 : Math.floor((r.decided / r.items) * 100);
  const when = r.lastDecidedAt ? `reviewed ${r.lastDecidedAt.slice(0, 10)}, ` : 'not reviewed yet, ';
  return `${label}: ${when}${share}% (${r.decided} of ${r.items})`;
}

function reviewerLabel(key: string): string {
  if (key === 'fallback') return 'fallback reviewers (no manager in HR)';
  const [, source, id] = key.split(':');
  return `manager ${source}:${id}`;
}

