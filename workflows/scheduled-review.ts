import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { ReviewActivities } from '../activities/reviews';
import { accessReviewWorkflow } from './review';

const { nameScheduledCampaign } = proxyActivities<Pick<ReviewActivities, 'nameScheduledCampaign'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '5m' },
  summary: "name this quarter's campaign",
});

/**
 * What the reviews schedule starts: this quarter's campaign under its readable ID
 * (`review-2027-Q1`), left running on its own; a campaign already opened for the quarter (a
 * second firing, or one started by hand under that ID) is left as it is.
 */
export async function scheduledReviewWorkflow(input: { timeZone: string }): Promise<{ campaignId: string; started: boolean }> {
  const args = await nameScheduledCampaign(input);
  try {
    await startChild(accessReviewWorkflow, { workflowId: args.campaignId, args: [args], parentClosePolicy: ParentClosePolicy.ABANDON, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    return { campaignId: args.campaignId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { campaignId: args.campaignId, started: false };
    throw err;
  }
}
