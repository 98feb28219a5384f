import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { workflowTypes } from './messages';

/** The orphan-account reconciliation schedule of one task queue (separate deployments never share one). */
export const orphanScheduleId = (taskQueue: string): string => `orphans-${taskQueue}`;

/** `orphans.every` in ms; 0 (or no system that can list its accounts) means no schedule. */
export interface OrphanPlan {
  everyMs: number;
}

/**
 * Makes the orphan reconciliation schedule match the configuration: every `everyMs` (a run still
 * going makes the next one skip), or deleted when there is no plan. Safe at every start-up, from
 * any number of processes.
 */
export async function ensureOrphanSchedule(client: Client, taskQueue: string, plan: OrphanPlan | undefined): Promise<string | undefined> {
  const scheduleId = orphanScheduleId(taskQueue);
  if (!plan || plan.everyMs <= 0) {
    await client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    return undefined;
  }
  const options = {
    spec: { intervals: [{ every: Math.max(1000, plan.everyMs) }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: workflowTypes.orphans,
      workflowId: `orphans-${taskQueue}`,
      taskQueue,
      args: [] as [],
      staticSummary: 'find accounts whose owner HR says has left, or never knew',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' as const },
  };
  try {
    await client.schedule.create({ scheduleId, ...options, state: { note: 'orphan-account reconciliation' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...options }));
  }
  return scheduleId;
}
