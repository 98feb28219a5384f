import { log, proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../activities/notifications';

/**
 * Notifications to people run beside the real work and never hold it up: Slack outages are
 * retried for a bounded time, and a notice that still fails is logged, not raised.
 */
export function notifications(summary: string) {
  return proxyActivities<NotificationActivities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '15m',
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' },
    summary,
  });
}

/** Waits for a notice without ever failing the workflow on it. */
export function quietly(notice: Promise<unknown>, what: string, detail: Record<string, unknown> = {}): Promise<void> {
  return notice.then(
    () => undefined,
    (err: unknown) => log.warn('notification not delivered', { what, ...detail, error: String(err) }),
  );
}
