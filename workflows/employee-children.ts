import { ParentClosePolicy, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { joinerWorkflowId, leaverWorkflowId, moverWorkflowId, type HrEvent, type WorkerAttributes } from '../src/hris/hr-event';
import { EmployeeId, HrSource, Lifecycle, SlaStatus } from '../src/temporal/search-attributes';
import type { EmployeeState } from './employee-state';
import { joinerWorkflow } from './joiner';
import { leaverWorkflow } from './leaver';
import { moverWorkflow } from './mover';

/** Starting the lifecycle children of a worker's workflow: readable IDs, summaries, search attributes. */

export function setLifecycle(state: EmployeeState, lifecycle: EmployeeState['lifecycle']): void {
  state.lifecycle = lifecycle;
  upsertSearchAttributes([{ key: Lifecycle, value: lifecycle }]);
}

function childAttributes(event: HrEvent, lifecycle: string, extra: SearchAttributePair[] = []): SearchAttributePair[] {
  return [{ key: EmployeeId, value: event.employeeId }, { key: HrSource, value: event.source }, { key: Lifecycle, value: lifecycle }, ...extra];
}

export function startLeaver(event: HrEvent, options: { coordinated?: boolean; othersRunning?: boolean } = {}) {
  return startChild(leaverWorkflow, {
    workflowId: leaverWorkflowId(event.source, event.employeeId, event.eventId),
    args: [options.coordinated ? { event, coordinated: true, othersRunning: options.othersRunning === true } : { event }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: 'leaver: kill sessions, disable accounts, revoke access',
    typedSearchAttributes: childAttributes(event, 'leaver', [{ key: SlaStatus, value: 'pending' }]),
  });
}

export function startJoiner(event: HrEvent, rehire: boolean) {
  return startChild(joinerWorkflow, {
    workflowId: joinerWorkflowId(event.source, event.employeeId, event.eventId),
    args: [rehire ? { event, rehire } : { event }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: 'joiner: create accounts and grant access from policy',
    typedSearchAttributes: childAttributes(event, 'joiner'),
  });
}

export function startMover(event: HrEvent, previous: WorkerAttributes) {
  return startChild(moverWorkflow, {
    workflowId: moverWorkflowId(event.source, event.employeeId, event.eventId),
    args: [{ event, previous }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: 'mover: grant new access, revoke old after the grace period',
    typedSearchAttributes: childAttributes(event, 'mover'),
  });
}
