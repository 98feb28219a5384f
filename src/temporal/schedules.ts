import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { hrSources, type HrSource } from '../hris/hr-event';
import { workflowTypes } from './messages';

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
