import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { workflowTypes } from '../temporal/messages';
import type { ReviewScope, ReviewsConfig } from './config';
import { dayCampaignId } from './ids';

/** What accessReviewWorkflow takes (workflows/review.ts), repeated here so callers never import workflow code. */
export interface CampaignArgs {
  campaignId: string;
  scope: ReviewScope;
  dueAfterMs: number;
  snapshotBudgetMs: number;
  remindEveryMs: number;
  escalateAfterMs: number;
  reviewerHistoryLimit?: number;
}

/**
 * Starts a campaign by hand (`jml review start`): named for the day in reviews.timeZone, with
 * `-2`, `-3` for a second and third that day. Answers its ID.
 */
export async function startReviewCampaign(
  client: Client,
  options: { taskQueue: string; reviews: ReviewsConfig; scope?: ReviewScope; now?: Date; /** Tests: a small history limit, to see reviewers continue as new. */ reviewerHistoryLimit?: number },
): Promise<string> {
  const now = options.now ?? new Date();
  const scope = options.scope ?? options.reviews.scope;
  for (let n = 1; n <= 20; n++) {
    const campaignId = dayCampaignId(now, options.reviews.timeZone, n);
    const args = { ...campaignArgs(campaignId, options.reviews, scope), ...(options.reviewerHistoryLimit ? { reviewerHistoryLimit: options.reviewerHistoryLimit } : {}) };
    try {
      await client.workflow.start(workflowTypes.accessReview, { workflowId: campaignId, taskQueue: options.taskQueue, args: [args], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      return campaignId;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  throw new Error('twenty campaigns were started today already: wait for tomorrow, or look at the running ones with jml review status');
}

/** What a campaign runs with: the reviews settings as they are when it opens. */
export function campaignArgs(campaignId: string, reviews: ReviewsConfig, scope: ReviewScope = reviews.scope): CampaignArgs {
  return { campaignId, scope, dueAfterMs: reviews.dueAfter, snapshotBudgetMs: reviews.snapshotBudget, remindEveryMs: reviews.remindEvery, escalateAfterMs: reviews.escalateAfter };
}

/** `--scope system=okta --scope entitlement='group:*admin*' --scope department=Engineering` (each repeatable). */
export function parseScope(entries: readonly string[]): ReviewScope {
  const scope: { systems?: string[]; entitlements?: string[]; departments?: string[] } = {};
  const keys = { system: 'systems', entitlement: 'entitlements', department: 'departments' } as const;
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    const value = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!(key in keys) || !value) throw new ScopeError(`"${entry}" is not system=ID, entitlement=PATTERN or department=NAME`);
    const list = (scope[keys[key as keyof typeof keys]] ??= []);
    list.push(...value.split(',').map((v) => v.trim()).filter(Boolean));
  }
  return scope;
}

export class ScopeError extends Error {}
