import type { ReviewScope } from './config';

export type CampaignStatus = 'snapshotting' | 'open' | 'closed';
export type ItemStatus = 'pending' | 'kept' | 'revoked' | 'unreviewed';
export type DecisionVia = 'slack' | 'api' | 'console';

/** One system's part of a campaign's snapshot: a failed read is a failure, never "no access". */
export interface SystemSnapshot {
  system: string;
  status: 'succeeded' | 'failed';
  /** Accounts of active workers read. */
  accounts: number;
  items: number;
  /** Active workers with no account in this system (nothing to review there). */
  noAccount: number;
  error?: string;
}

export interface Campaign {
  campaignId: string;
  status: CampaignStatus;
  scope: ReviewScope;
  openedAt: string;
  dueAt: string;
  closedAt?: string;
  snapshot?: { workers: number; systems: SystemSnapshot[]; finishedAt: string; withinBudget: boolean };
}

/** One worker's one entitlement in one system, to be kept or revoked. */
export interface ReviewItem {
  campaignId: string;
  itemId: string;
  hrSource: string;
  employeeId: string;
  department?: string;
  system: string;
  accountId: string;
  entitlement: string;
  /** Whether policy gives it (birthright or a rule) or it was granted by hand. */
  basis: 'policy' | 'hand';
  rules: string[];
  /** `manager:<source>:<managerId>`, or `fallback`. */
  reviewer: string;
  status: ItemStatus;
  decidedBy?: string;
  decidedVia?: DecisionVia;
  reason?: string;
  decidedAt?: string;
  revokeOutcome?: string;
  revokedAt?: string;
}

export type NewReviewItem = Omit<ReviewItem, 'status' | 'decidedBy' | 'decidedVia' | 'reason' | 'decidedAt' | 'revokeOutcome' | 'revokedAt'>;

export interface ItemDecision {
  decision: 'keep' | 'revoke';
  decidedBy: string;
  via: DecisionVia;
  reason?: string;
  decidedAt: string;
}

/** The reviewer key of a worker: their manager in the HRIS, else the fallback reviewers. */
export function reviewerOf(hrSource: string, managerId: string | undefined): string {
  return managerId ? `manager:${hrSource}:${managerId}` : 'fallback';
}
