import type { Client } from '@temporalio/client';
import { employeeWorkflowId, workflowIdsFor, type HrEvent } from '../hris/hr-event';
import { EmployeeId, HrSource, Lifecycle } from '../temporal/search-attributes';
import { hrEventSignal, workflowTypes } from '../temporal/messages';
import type { employeeWorkflow } from '../../workflows/employee';

export interface DispatchOptions {
  eventsPerRun?: number;
  /** Longest one hand-over may take, gRPC retries included, before it counts as failed (default 10 s). */
  timeoutMs?: number;
}

/**
 * Hands one stored HR event to its worker's entity workflow (signal-with-start) and returns
 * the workflow IDs it concerns. Redelivery is safe: the workflow ignores event IDs it has seen.
 * A deadline bounds the SDK's own retries, so an unreachable Temporal fails the call in time
 * for the dispatcher's backoff to take over.
 */
export function createDispatcher(client: Client, taskQueue: string, options: DispatchOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async function dispatch(event: HrEvent): Promise<string[]> {
    const workflowId = employeeWorkflowId(event.source, event.employeeId);
    await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.signalWithStart<typeof employeeWorkflow, [HrEvent]>(workflowTypes.employee, {
        workflowId,
        taskQueue,
        args: [{ source: event.source, employeeId: event.employeeId, ...(options.eventsPerRun ? { eventsPerRun: options.eventsPerRun } : {}) }],
        signal: hrEventSignal,
        signalArgs: [event],
        typedSearchAttributes: [
          { key: EmployeeId, value: event.employeeId },
          { key: HrSource, value: event.source },
          { key: Lifecycle, value: 'unknown' },
        ],
        staticSummary: `worker ${event.source}/${event.employeeId}`,
      }),
    );
    return workflowIdsFor(event);
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
