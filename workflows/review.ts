import { ActivityFailure, ApplicationFailure, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { ReviewActivities } from '../activities/reviews';
import type { CampaignArgs } from '../src/reviews/start';
import type { SystemSnapshot } from '../src/reviews/types';
import { reviewerWorkflow, type ReviewerResult } from './reviewer';

/** What a campaign runs with (src/reviews/start.ts builds it from the reviews settings). */
export type AccessReviewInput = CampaignArgs;

export interface AccessReviewResult {
  campaignId: string;
  systems: SystemSnapshot[];
  reviewers: ReviewerResult[];
  items: number;
  decided: number;
  unreviewed: number;
}

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const campaign = proxyActivities<Pick<ReviewActivities, 'openReviewCampaign' | 'finishReviewSnapshot' | 'openReviewDecisions' | 'closeReviewCampaign'>>({
  startToCloseTimeout: '5m',
  retry,
  summary: 'open / snapshot taken / close the campaign',
});

const { snapshotReviewSystem } = proxyActivities<Pick<ReviewActivities, 'snapshotReviewSystem'>>({
  // Every active worker's access in one system, at the vendor's pace: long, with a heartbeat.
  startToCloseTimeout: '6h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '10m', maximumAttempts: 3 },
  summary: "read one system's access of every active worker",
});

/**
 * One access-review campaign (its ID is the campaign's: `review-2027-Q1`). It opens, reads every
 * system in scope at once (one failing is recorded as failed and never holds up the others),
 * then hands each reviewer's items to a reviewer workflow of their own (so histories stay small
 * however many workers there are) and waits for them: each takes decisions until the due date.
 * Then it closes, and what nobody decided is recorded unreviewed.
 */
export async function accessReviewWorkflow(input: AccessReviewInput): Promise<AccessReviewResult> {
  const { campaignId } = input;
  const opened = await campaign.openReviewCampaign({ campaignId, scope: input.scope, dueAfterMs: input.dueAfterMs });
  const systems = await Promise.all(
    opened.systems.map((system) =>
      snapshotReviewSystem({ campaignId, system, scope: input.scope }).catch(
        (err: unknown): SystemSnapshot => ({ system, status: 'failed', accounts: 0, items: 0, noAccount: 0, error: failureText(err) }),
      ),
    ),
  );
  const { reviewers, finishedAt } = await campaign.finishReviewSnapshot({ campaignId, scope: input.scope, systems, startedAt: opened.openedAt, budgetMs: input.snapshotBudgetMs });
  const children = await Promise.all(
    reviewers.map((r) =>
      startChild(reviewerWorkflow, {
        workflowId: r.workflowId,
        args: [{ campaignId, reviewer: r.reviewer, items: r.items, dueAt: opened.dueAt, from: finishedAt, remindEveryMs: input.remindEveryMs, escalateAfterMs: input.escalateAfterMs, ...(input.reviewerHistoryLimit ? { historyLimit: input.reviewerHistoryLimit } : {}) }],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        taskQueue: workflowInfo().taskQueue,
      }),
    ),
  );
  await campaign.openReviewDecisions({ campaignId, reviewers: children.length });
  const results = await Promise.all(children.map((c) => c.result()));
  const closed = await campaign.closeReviewCampaign({ campaignId });
  return { campaignId, systems, reviewers: results, ...closed };
}

function failureText(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.message;
  return cause instanceof Error ? cause.message : String(cause);
}
