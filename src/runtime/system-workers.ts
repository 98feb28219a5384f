/**
 * One activity worker per connected system, on that system's own task queue
 * (src/temporal/system-queues.ts). A system with a request budget (systems[].requestsPerSecond,
 * or its type's documented default) has its queue rate-limited by the Temporal server
 * (`maxTaskQueueActivitiesPerSecond`), which holds across every worker process however many run;
 * each process's pacer then holds the requests within a step to its share (worker census).
 * Eager activity dispatch, which would bypass the queue's limit, applies only to activities on
 * the workflow's own queue, so a system queue never sees it.
 */
import { Worker, type DataConverter, type NativeConnection } from '@temporalio/worker';
import type { SystemConfig } from '../connectors/catalog';
import { descriptorOf } from '../connectors/catalog';
import { systemTaskQueue } from '../temporal/system-queues';

export interface SystemBudget {
  system: string;
  /** Steps per second the server dispatches on the system's queue, across all workers; undefined: unlimited. */
  stepsPerSecond?: number;
}

const defaultRequestsPerStep = 3;

export function systemBudgets(systems: readonly SystemConfig[]): SystemBudget[] {
  return systems.map((system) => {
    const limits = descriptorOf(system.type)?.limits;
    const requestsPerSecond = system.requestsPerSecond ?? limits?.requestsPerSecond;
    if (!requestsPerSecond) return { system: system.id };
    return { system: system.id, stepsPerSecond: requestsPerSecond / (limits?.requestsPerStep ?? defaultRequestsPerStep) };
  });
}

export async function createSystemWorkers(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  budgets: readonly SystemBudget[];
  activities: object;
  dataConverter?: DataConverter;
  identity?: string;
}): Promise<Worker[]> {
  return Promise.all(
    options.budgets.map((budget) =>
      Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: systemTaskQueue(options.taskQueue, budget.system),
        activities: options.activities,
        dataConverter: options.dataConverter,
        ...(options.identity ? { identity: options.identity } : {}),
        // Steps wait on the system (and its pacer), not on this CPU: slots are cheap, and a session
        // kill must never wait for a slot a paced clean-up step holds.
        maxConcurrentActivityTaskExecutions: 2000,
        ...(budget.stepsPerSecond ? { maxTaskQueueActivitiesPerSecond: budget.stepsPerSecond } : {}),
      }),
    ),
  );
}
