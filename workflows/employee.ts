import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  startChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  ParentClosePolicy,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { HrEventActivities } from '../activities/hr-events';
import { joinerWorkflowId, leaverWorkflowId, type HrEvent } from '../src/hris/hr-event';
import { EmployeeId, HrSource, Lifecycle, SlaStatus } from '../src/temporal/search-attributes';
import { EmployeeState, type EmployeeInput, type EmployeeStatus } from './employee-state';
import { joinerWorkflow, rescindJoinerSignal } from './joiner';
import { leaverWorkflow, rescindLeaverSignal } from './leaver';

export type { EmployeeInput, EmployeeStatus } from './employee-state';

export const hrEventSignal = defineSignal<[HrEvent]>('hrEvent');
export const statusQuery = defineQuery<EmployeeStatus>('status');

const hr = proxyActivities<HrEventActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record HR event',
});

/** How long an idle worker's workflow stays open; the next event starts a new run. */
const idleTimeout = '7 days';

/**
 * One workflow per worker (`employee-<source>-<id>`): takes that worker's HR events in, applies
 * each once and one at a time, and runs the lifecycle child workflows.
 */
export async function employeeWorkflow(input: EmployeeInput): Promise<EmployeeStatus> {
  const state = new EmployeeState(input);
  setHandler(hrEventSignal, (event) => {
    if (!state.offer(event)) log.info('HR event ignored as a duplicate', { eventId: event.eventId });
  });
  setHandler(statusQuery, () => state.status());

  for (;;) {
    const busy = await condition(() => state.hasPending(), idleTimeout);
    if (!busy) break;
    const event = state.take();
    if (!event) continue;
    await hr.recordHrEvent(event);
    await apply(state, event);
    state.current = undefined;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof employeeWorkflow>(state.snapshot());
    }
  }
  await condition(allHandlersFinished);
  return state.status();
}

async function apply(state: EmployeeState, event: HrEvent): Promise<void> {
  switch (event.kind) {
    case 'terminate': {
      setLifecycle(state, 'offboarding');
      const leaver = await startChild(leaverWorkflow, {
        workflowId: leaverWorkflowId(event.source, event.employeeId, event.eventId),
        args: [{ event }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: 'leaver: kill sessions, disable accounts, revoke access',
        typedSearchAttributes: childAttributes(event, 'leaver', [{ key: SlaStatus, value: 'pending' }]),
      });
      // Before the termination takes effect a rescind cancels it; after, the leaver finishes.
      const outcome = await relayRescinds(state, leaver, (hrEventId) => leaver.signal(rescindLeaverSignal, { hrEventId }));
      setLifecycle(state, outcome.rescinded ? 'active' : 'terminated');
      return;
    }
    case 'hire':
    case 'rehire': {
      setLifecycle(state, 'joining');
      const joiner = await startChild(joinerWorkflow, {
        workflowId: joinerWorkflowId(event.source, event.employeeId, event.eventId),
        args: [{ event }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: 'joiner: create accounts and grant access from policy',
        typedSearchAttributes: childAttributes(event, 'joiner'),
      });
      // Before the start date a rescind removes what was provisioned.
      const outcome = await relayRescinds(state, joiner, (hrEventId) => joiner.signal(rescindJoinerSignal, { hrEventId }));
      setLifecycle(state, outcome.rescinded ? 'unknown' : 'active');
      return;
    }
    case 'change':
      // Movers are recomputed from policy on this loop next; the event is already in evidence.
      setLifecycle(state, 'active');
      return;
    case 'rescind':
      return;
  }
}

function setLifecycle(state: EmployeeState, lifecycle: EmployeeState['lifecycle']): void {
  state.lifecycle = lifecycle;
  upsertSearchAttributes([{ key: Lifecycle, value: lifecycle }]);
}

function childAttributes(event: HrEvent, lifecycle: string, extra: SearchAttributePair[] = []): SearchAttributePair[] {
  return [{ key: EmployeeId, value: event.employeeId }, { key: HrSource, value: event.source }, { key: Lifecycle, value: lifecycle }, ...extra];
}

/** Waits for a child while passing on any rescind that arrives for this worker meanwhile. */
async function relayRescinds<R>(state: EmployeeState, child: { result(): Promise<R> }, relay: (hrEventId: string) => Promise<void>): Promise<R> {
  let finished = false;
  const result = child.result().finally(() => (finished = true));
  while (!finished) {
    await condition(() => finished || state.hasPendingOf('rescind'));
    const rescind = finished ? undefined : state.takeFirstOf('rescind');
    if (!rescind) continue;
    await hr.recordHrEvent(rescind);
    await relay(rescind.eventId);
  }
  return result;
}
