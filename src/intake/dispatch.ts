import type { Client } from '@temporalio/client';
import { employeeWorkflowId, joinerWorkflowId, leaverWorkflowId, type HrEvent } from '../hris/hr-event';
import { EmployeeId, HrSource, Lifecycle } from '../temporal/search-attributes';
import { hrEventSignal, workflowTypes } from '../temporal/messages';
import type { employeeWorkflow } from '../../workflows/employee';

/**
 * Hands one stored HR event to its worker's entity workflow (signal-with-start) and returns
 * the workflow IDs it concerns. Redelivery is safe: the workflow ignores event IDs it has seen.
 */
export function createDispatcher(client: Client, taskQueue: string, options: { eventsPerRun?: number } = {}) {
  return async function dispatch(event: HrEvent): Promise<string[]> {
    const workflowId = employeeWorkflowId(event.source, event.employeeId);
    await client.workflow.signalWithStart<typeof employeeWorkflow, [HrEvent]>(workflowTypes.employee, {
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
    });
    if (event.kind === 'terminate') return [workflowId, leaverWorkflowId(event.source, event.employeeId, event.eventId)];
    if (event.kind === 'hire' || event.kind === 'rehire') return [workflowId, joinerWorkflowId(event.source, event.employeeId, event.eventId)];
    // A change may be handed to a mover already running, so only the worker's own ID is certain.
    return [workflowId];
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
