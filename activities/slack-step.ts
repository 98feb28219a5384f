import { ApplicationFailure } from '@temporalio/common';
import type { HrSource } from '../src/hris/hr-event';
import { SlackApiError, type SlackUser } from '../src/slack/client';
import type { ActivityDeps } from './deps';

/**
 * Runs one Slack call inside an activity. Transient failures (429, 5xx, timeouts) become
 * retryable failures that carry Slack's Retry-After, so Temporal retries without holding a
 * worker slot; Slack's permanent errors (`invalid_auth`, `channel_not_found`, ...) fail the
 * activity at once, unless listed in `tolerated`, in which case the call answers undefined.
 */
export async function slackStep<T>(call: () => Promise<T>, tolerated: readonly string[] | 'permanent' = []): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof SlackApiError)) throw err;
    if (err.retryable) {
      throw ApplicationFailure.create({ message: err.message, type: `slack_${err.code}`, nonRetryable: false, nextRetryDelay: err.retryAfterMs });
    }
    if (tolerated === 'permanent' || tolerated.includes(err.code)) return undefined;
    throw ApplicationFailure.create({ message: err.message, type: `slack_${err.code}`, nonRetryable: true });
  }
}

/**
 * A worker's manager in Slack: the manager's work email from the HRIS, then Slack's
 * users.lookupByEmail. undefined when the HRIS or Slack knows nobody (or Slack is not set up).
 */
export async function managerInSlack(
  deps: Pick<ActivityDeps, 'directory' | 'slack'>,
  source: HrSource,
  managerId: string | undefined,
): Promise<{ email?: string; user?: SlackUser }> {
  const email = managerId ? await deps.directory?.workEmailOf(source, managerId) : undefined;
  const slack = deps.slack;
  const user = slack && email ? await slackStep(() => slack.userByEmail(email), 'permanent') : undefined;
  return { ...(email ? { email } : {}), ...(user ? { user } : {}) };
}
