import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { reviewCron, type ReviewsConfig } from '../reviews/config';
import { ensureSchedule } from './ensure-schedule';
import { workflowTypes } from './messages';

/** The access-review schedule of one task queue (separate deployments never share one). */
export const reviewScheduleId = (taskQueue: string): string => `reviews-${taskQueue}`;

/**
 * Makes the access-review schedule match reviews.schedule: quarterly by default (00:00 on Jan 1,
 * Apr 1, Jul 1 and Oct 1 in reviews.timeZone), a cron expression, or none ("off"). Each firing
 * starts a small workflow that opens the quarter's campaign under its readable ID
 * (`review-2027-Q1`), so a second firing in the same quarter opens nothing new.
 */
export async function ensureReviewSchedule(client: Client, taskQueue: string, reviews: ReviewsConfig | undefined): Promise<string | undefined> {
  const cron = reviews ? reviewCron(reviews.schedule) : undefined;
  if (!reviews || !cron) return ensureSchedule(client, reviewScheduleId(taskQueue), undefined);
  return ensureSchedule(client, reviewScheduleId(taskQueue), {
    spec: { cronExpressions: [cron], timezone: reviews.timeZone },
    action: {
      type: 'startWorkflow' as const,
      workflowType: workflowTypes.scheduledReview,
      workflowId: `reviews-${taskQueue}`,
      taskQueue,
      args: [{ timeZone: reviews.timeZone }],
      staticSummary: "open this quarter's access review",
    },
    // A campaign runs for weeks: the next firing is a new quarter, never an overlap to skip.
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '1 day' as const },
    state: { note: 'quarterly access reviews (SOC 2 CC6.3)' },
  });
}
