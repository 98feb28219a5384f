import { proxyActivities } from '@temporalio/workflow';

/** One step on `queue`, as a leaver's session-ending step is scheduled (priority 1). */
export async function oneStep(input: { queue: string; runMs: number }): Promise<void> {
  const { step } = proxyActivities<{ step(ms: number): Promise<void> }>({ taskQueue: input.queue, startToCloseTimeout: '1m', priority: { priorityKey: 1 } });
  await step(input.runMs);
}
