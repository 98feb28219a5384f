import { createHash } from 'node:crypto';

/**
 * Readable campaign IDs: `review-2027-Q1` for a scheduled quarter, `review-2026-12-04` (then
 * `-2`, `-3`) for one started by hand. The reviewer workflows are named by a digest of the
 * reviewer key, so no HR identifier appears in a workflow ID.
 */
export function quarterCampaignId(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  const year = parts.find((p) => p.type === 'year')!.value;
  const month = Number(parts.find((p) => p.type === 'month')!.value);
  return `review-${year}-Q${Math.floor((month - 1) / 3) + 1}`;
}

export function dayCampaignId(at: Date, timeZone: string, n = 1): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return `review-${day}${n > 1 ? `-${n}` : ''}`;
}

export function reviewerWorkflowId(campaignId: string, reviewer: string): string {
  return `${campaignId}-reviewer-${createHash('sha256').update(reviewer).digest('hex').slice(0, 12)}`;
}

export const campaignIdPattern = /^review-[0-9A-Za-z-]{4,60}$/;
