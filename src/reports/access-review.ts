/**
 * The access-review report (`jml report access-review`, GET /api/reports/access-reviews/:campaign):
 * every item of a campaign with its decision, what a CC6.3 sample is drawn from, and the
 * campaign's scope, snapshot and completion per reviewer and department.
 */
import type { ReviewStore } from '../reviews/store';
import type { Campaign, ReviewItem } from '../reviews/types';
import { csvCell } from './csv';
import { accessReviewPdf } from './access-review-pdf';

export const reviewReportColumns = [
  'campaignId',
  'itemId',
  'hrSource',
  'employeeId',
  'department',
  'reviewer',
  'system',
  'entitlement',
  'basis',
  'rules',
  'status',
  'decidedBy',
  'decidedVia',
  'decidedAt',
  'reason',
  'revokeOutcome',
  'revokedAt',
] as const;

export interface ReviewReport {
  campaign: Campaign;
  summary: { items: number; kept: number; revoked: number; pending: number; unreviewed: number };
  byReviewer: { key: string; items: number; decided: number; lastDecidedAt?: string }[];
  byDepartment: { key: string; items: number; decided: number; lastDecidedAt?: string }[];
  items: ReviewItem[];
}

export async function loadReviewReport(store: ReviewStore, campaignId: string): Promise<ReviewReport | undefined> {
  const campaign = await store.campaign(campaignId);
  if (!campaign) return undefined;
  const items: ReviewItem[] = [];
  for await (const page of store.items(campaignId)) items.push(...page);
  const count = (status: ReviewItem['status']) => items.filter((i) => i.status === status).length;
  return {
    campaign,
    summary: { items: items.length, kept: count('kept'), revoked: count('revoked'), pending: count('pending'), unreviewed: count('unreviewed') },
    byReviewer: await store.completion(campaignId, 'reviewer'),
    byDepartment: await store.completion(campaignId, 'department'),
    items,
  };
}

export function reviewReportCsv(report: ReviewReport): string {
  const rows = report.items.map((item) =>
    reviewReportColumns
      .map((column) => {
        const value = item[column as keyof ReviewItem];
        return csvCell(Array.isArray(value) ? value.join(' ') : value === undefined ? '' : String(value));
      })
      .join(','),
  );
  return [reviewReportColumns.join(','), ...rows].join('\n') + '\n';
}

export const reviewReportFormats = ['csv', 'json', 'pdf'] as const;
export type ReviewReportFormat = (typeof reviewReportFormats)[number];

export async function renderReviewReport(store: ReviewStore, campaignId: string, format: ReviewReportFormat, now: Date = new Date()): Promise<{ contentType: string; body: string | Buffer; report: ReviewReport } | undefined> {
  const report = await loadReviewReport(store, campaignId);
  if (!report) return undefined;
  if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: reviewReportCsv(report), report };
  if (format === 'pdf') return { contentType: 'application/pdf', body: await accessReviewPdf(report, now), report };
  return { contentType: 'application/json', body: JSON.stringify(report, null, 2) + '\n', report };
}
