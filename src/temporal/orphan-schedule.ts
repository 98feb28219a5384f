import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ensureSchedule } from './ensure-schedule';
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
  if (!plan || plan.everyMs <= 0) return ensureSchedule(client, orphanScheduleId(taskQueue), undefined);
  return ensureSchedule(client, orphanScheduleId(taskQueue), {
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
    state: { note: 'orphan-account reconciliation' },
  });
}
