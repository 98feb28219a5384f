import { patched, workflowInfo } from '@temporalio/workflow';
import { systemTaskQueue } from '../src/temporal/system-queues';

/**
 * Where a system's step is scheduled: on that system's own task queue, whose rate limit the
 * server holds across all workers. Workflows whose history began before (no marker) keep
 * scheduling on the workflow's own queue, as they did.
 */
export function onSystemQueue(system: string): { taskQueue?: string } {
  if (!patched('system-task-queues')) return {};
  return { taskQueue: systemTaskQueue(workflowInfo().taskQueue, system) };
}
