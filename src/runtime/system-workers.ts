/**
 * Two activity workers per connected system, on that system's own task queues
 * (src/temporal/system-queues.ts). A system with a request budget (systems[].requestsPerSecond,
 * or its type's documented default) has its main queue rate-limited by the Temporal server
 * (`maxTaskQueueActivitiesPerSecond`), which holds across every worker process however many run;
 * each process's pacer then holds the requests within a step to its share (worker census).
 * Eager activity dispatch, which would bypass the queue's limit, applies only to activities on
 * the workflow's own queue, so a system queue never sees it.
 *
 * Steps that end a leaver's sessions run on the system's sessions queue, which has no such limit:
 * the server holds a queue's rate per partition (four by default, each at a quarter of the rate,
 * with a second's burst), and at the few steps a second a per-minute budget like GitHub's allows,
 * a lone session-ending step on an idle queue was measured waiting up to 3 s for its partition
 * (up to 50 s at a quarter of that rate). Their requests are held to the budget by the pacer,
 * which serves them before any other.
 */
import { activityTracingInterceptors } from '../tracing/temporal-tracing';
import { Worker, type DataConverter, type NativeConnection } from '@temporalio/worker';
import type { SystemConfig } from '../connectors/catalog';
import { descriptorOf } from '../connectors/catalog';
import { systemSessionsTaskQueue, systemTaskQueue } from '../temporal/system-queues';

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
  const worker = (taskQueue: string, stepsPerSecond?: number) =>
    Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue,
      activities: options.activities,
      dataConverter: options.dataConverter,
      interceptors: { activity: [activityTracingInterceptors] },
      ...(options.identity ? { identity: options.identity } : {}),
      // Steps wait on the system (and its pacer), not on this CPU: slots are cheap, and a session
      // kill must never wait for a slot a paced clean-up step holds.
      maxConcurrentActivityTaskExecutions: 2000,
      ...(stepsPerSecond ? { maxTaskQueueActivitiesPerSecond: stepsPerSecond } : {}),
    });
  return Promise.all(
    options.budgets.flatMap((budget) => [
      worker(systemTaskQueue(options.taskQueue, budget.system), budget.stepsPerSecond),
      worker(systemSessionsTaskQueue(options.taskQueue, budget.system)),
    ]),
  );
}
