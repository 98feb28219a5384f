import { patched, workflowInfo } from '@temporalio/workflow';
import { systemSessionsTaskQueue, systemTaskQueue } from '../src/temporal/system-queues';

/**
 * Where a system's step is scheduled: on that system's own task queue, whose rate limit the
 * server holds across all workers; a step that ends a leaver's sessions on the system's sessions
 * queue, which the server does not hold back (the system's pacer serves its requests first, within
 * the budget). Workflows whose history began before (no marker) keep scheduling where they did.
 */
export function onSystemQueue(system: string, lane: 'sessions' | 'rest' = 'rest'): { taskQueue?: string } {
  if (!patched('system-task-queues')) return {};
  const main = workflowInfo().taskQueue;
  if (lane === 'sessions' && patched('system-sessions-queues')) return { taskQueue: systemSessionsTaskQueue(main, system) };
  return { taskQueue: systemTaskQueue(main, system) };
}
