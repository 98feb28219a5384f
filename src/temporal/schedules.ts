import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { hrSources, type HrSource } from '../hris/hr-event';
import { workflowTypes } from './messages';
import { ensureOrphanSchedule, orphanScheduleId, type OrphanPlan } from './orphan-schedule';
import { ensureReviewSchedule, reviewScheduleId } from './review-schedule';
import { reviewCron, type ReviewsConfig } from '../reviews/config';

/** The schedule that polls one HRIS for one task queue (so separate deployments never share one). */
export const reconcileScheduleId = (source: HrSource, taskQueue: string): string => `reconcile-${source}-${taskQueue}`;

export interface ReconcilePlan {
  source: HrSource;
  everyMs: number;
}

/**
 * Makes the reconciliation schedules match the configuration: one per configured HRIS, polling
 * every `everyMs` (a poll still running makes the next one skip); a schedule for an HRIS no
 * longer configured is deleted. Safe to run at every start-up, from any number of processes.
 */
export async function ensureReconcileSchedules(client: Client, taskQueue: string, plans: ReconcilePlan[]): Promise<string[]> {
  const ensured: string[] = [];
  for (const source of hrSources) {
    const scheduleId = reconcileScheduleId(source, taskQueue);
    const plan = plans.find((p) => p.source === source);
    if (!plan) {
      await client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
      continue;
    }
    const options = {
      spec: { intervals: [{ every: Math.max(1000, plan.everyMs) }] },
      action: {
        type: 'startWorkflow' as const,
        workflowType: workflowTypes.reconcile,
        workflowId: `reconcile-${source}`,
        taskQueue,
        args: [{ source }] as [{ source: HrSource }],
        staticSummary: `poll ${source} for changes a webhook may have missed`,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' as const },
    };
    try {
      await client.schedule.create({ scheduleId, ...options, state: { note: `reconciliation of ${source}` } });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...options }));
    }
    ensured.push(scheduleId);
  }
  return ensured;
}

/** Every schedule a deployment keeps: one per HRIS poll, and the orphan reconciliation. */
export interface SchedulePlans {
  hris: ReconcilePlan[];
  orphans?: OrphanPlan;
  /** Access reviews (reviews.schedule); absent or "off": no schedule. */
  reviews?: ReviewsConfig;
}

export interface ScheduleKeeper {
  /** The schedule IDs this deployment's plans give (known before Temporal answers). */
  ids: string[];
  /** Settles once the schedules are in place; never rejects (failures are retried). */
  ready: Promise<void>;
  stop(): void;
}

/**
 * ensureReconcileSchedules and ensureOrphanSchedule in the background, retried until Temporal answers, so that an API
 * process starts (and takes webhooks) while Temporal is unreachable. Retries back off from
 * `firstRetryMs` to a minute.
 */
export function ensureSchedulesInBackground(
  client: Client,
  taskQueue: string,
  plans: SchedulePlans,
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void },
  options: { firstRetryMs?: number; timeoutMs?: number } = {},
): ScheduleKeeper {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const ready = (async () => {
    for (let attempt = 0; !stopped; attempt += 1) {
      try {
        const ensured = await client.withDeadline(Date.now() + (options.timeoutMs ?? 10_000), async () => {
          const hris = await ensureReconcileSchedules(client, taskQueue, plans.hris);
          const orphans = await ensureOrphanSchedule(client, taskQueue, plans.orphans);
          const reviews = await ensureReviewSchedule(client, taskQueue, plans.reviews);
          return [...hris, ...(orphans ? [orphans] : []), ...(reviews ? [reviews] : [])];
        });
        if (ensured.length > 0) log.info({ schedules: ensured }, 'reconciliation schedules in place');
        return;
      } catch (err) {
        const retryInMs = Math.min(60_000, (options.firstRetryMs ?? 1000) * 2 ** Math.min(attempt, 10));
        log.warn({ err: (err as Error).message, retryInMs }, 'reconciliation schedules not in place yet (Temporal unreachable?); retrying');
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, retryInMs);
        });
      }
    }
  })();
  return {
    ids: [
      ...plans.hris.map((p) => reconcileScheduleId(p.source, taskQueue)),
      ...(plans.orphans && plans.orphans.everyMs > 0 ? [orphanScheduleId(taskQueue)] : []),
      ...(plans.reviews && reviewCron(plans.reviews.schedule) ? [reviewScheduleId(taskQueue)] : []),
    ],
    ready,
    stop() {
      stopped = true;
      clearTimeout(timer);
      wake();
    },
  };
}
