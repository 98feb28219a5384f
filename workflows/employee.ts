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
import type { HrEventActivities } from '../activities/hr-events';
import { leaverWorkflowId, type HrEvent } from '../src/hris/hr-event';
import { EmployeeId, HrSource, Lifecycle, SlaStatus } from '../src/temporal/search-attributes';
import { EmployeeState, type EmployeeInput, type EmployeeStatus } from './employee-state';
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
      state.lifecycle = 'offboarding';
      upsertSearchAttributes([{ key: Lifecycle, value: 'offboarding' }]);
      const leaver = await startChild(leaverWorkflow, {
        workflowId: leaverWorkflowId(event.source, event.employeeId, event.eventId),
        args: [{ event }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: 'leaver: kill sessions, disable accounts, revoke access',
        typedSearchAttributes: [
          { key: EmployeeId, value: event.employeeId },
          { key: HrSource, value: event.source },
          { key: Lifecycle, value: 'leaver' },
          { key: SlaStatus, value: 'pending' },
        ],
      });
      // While the leaver runs, a rescind of this termination is passed on to it: before the
      // termination takes effect it cancels the wait; after, the leaver finishes regardless.
      let finished = false;
      const result = leaver.result().finally(() => (finished = true));
      while (!finished) {
        await condition(() => finished || state.hasPendingOf('rescind'));
        const rescind = finished ? undefined : state.takeFirstOf('rescind');
        if (!rescind) continue;
        await hr.recordHrEvent(rescind);
        await leaver.signal(rescindLeaverSignal, { hrEventId: rescind.eventId });
      }
      const outcome = await result;
      if (outcome.rescinded) {
        state.lifecycle = 'active';
        upsertSearchAttributes([{ key: Lifecycle, value: 'active' }]);
        return;
      }
      state.lifecycle = 'terminated';
      upsertSearchAttributes([{ key: Lifecycle, value: 'terminated' }]);
      return;
    }
    case 'hire':
    case 'rehire':
    case 'change':
      // Provisioning from policy builds on this loop; the event is already in evidence.
      state.lifecycle = 'active';
      upsertSearchAttributes([{ key: Lifecycle, value: 'active' }]);
      return;
    case 'rescind':
      return;
  }
}
