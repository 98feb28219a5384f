import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decideReviewItemUpdate, type ReviewItemDecision, type ReviewItemOutcome } from '../temporal/messages';
import { reviewerWorkflowId } from './ids';
import type { ReviewStore } from './store';

/**
 * Hands a decision to the reviewer's workflow. A reviewer with a long history continues as new
 * now and then; a decision that reaches the run handing over (refused `continuing_as_new`, or
 * the run already gone) is sent again, a few times and briefly, to the next run while the
 * campaign still takes decisions. Anything else is the
 * caller's to answer.
 */
export async function sendReviewDecision(
  client: Client,
  store: Pick<ReviewStore, 'campaign'>,
  campaignId: string,
  reviewer: string,
  decision: ReviewItemDecision,
): Promise<ReviewItemOutcome> {
  const stillOpen = async () => (await store.campaign(campaignId))?.status === 'open';
  const handle = client.workflow.getHandle(reviewerWorkflowId(campaignId, reviewer));
  for (let attempt = 0; ; attempt++) {
    try {
      return await handle.executeUpdate(decideReviewItemUpdate, { args: [decision] });
    } catch (err) {
      const handingOver = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'continuing_as_new';
      if (!(handingOver || err instanceof WorkflowNotFoundError) || attempt >= 9 || !(await stillOpen())) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
}
