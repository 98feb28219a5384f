import {
  allHandlersFinished,
  condition,
  continueAsNew,
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
import { joinerWorkflowId, leaverWorkflowId, moverWorkflowId, type HrEvent, type WorkerAttributes } from '../src/hris/hr-event';
import { EmployeeId, HrSource, Lifecycle, SlaStatus } from '../src/temporal/search-attributes';
import { hrEventSignal, moverChangeSignal, rescindJoinerSignal, rescindLeaverSignal, statusQuery } from '../src/temporal/messages';
import { EmployeeState, type EmployeeInput } from './employee-state';
import { joinerWorkflow } from './joiner';
import { leaverWorkflow } from './leaver';
import { moverWorkflow } from './mover';

export type { EmployeeInput, EmployeeStatus } from './employee-state';

const hr = proxyActivities<HrEventActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record HR event',
});

/** Applied events per run before continue-as-new (the server may suggest it sooner). */
const defaultEventsPerRun = 200;

/** How long an idle worker's run lasts before it continues as new (its history starts afresh). */
const idleTimeout = '7 days';

/**
 * One workflow per worker (`employee-<source>-<id>`): takes that worker's HR events in, applies
 * each once and one at a time, and runs the lifecycle child workflows.
 */
export async function employeeWorkflow(input: EmployeeInput): Promise<never> {
  const state = new EmployeeState(input);
  setHandler(hrEventSignal, (event) => {
    if (!state.offer(event)) log.info('HR event ignored as a duplicate', { eventId: event.eventId });
  });
  setHandler(statusQuery, () => state.status());

  for (;;) {
    const busy = await condition(() => state.hasPending(), idleTimeout);
    // Idle: start a fresh run that keeps what is known of the worker (a later rehire must know of the leaver).
    if (!busy) break;
    const event = state.take();
    if (!event) continue;
    if (event.kind === 'change' && event.effectiveDate) {
      // A future-dated change waits for its date; an earlier-dated event arriving meanwhile goes first.
      const waitMs = await hr.millisUntilEffective(event);
      if (waitMs > 0 && (await condition(() => state.hasEarlierThan(event), waitMs, { summary: 'wait for change effective date' }))) {
        state.requeue(event);
        continue;
      }
    }
    await hr.recordHrEvent(event);
    if (state.isStale(event)) {
      await hr.recordHrEventSkipped({ event, reason: 'stale: an attribute change newer by HR timestamp was already applied' });
      state.current = undefined;
      continue;
    }
    const merged = state.absorb(event);
    state.markApplied(event);
    await apply(state, event, merged);
    state.current = undefined;
    if (workflowInfo().continueAsNewSuggested || state.appliedThisRun >= (input.eventsPerRun ?? defaultEventsPerRun)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof employeeWorkflow>(state.snapshot());
    }
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof employeeWorkflow>(state.snapshot());
}

async function apply(state: EmployeeState, event: HrEvent, merged: { event: HrEvent; previous: WorkerAttributes }): Promise<void> {
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
      const outcome = await relayWhileRunning(state, leaver, ['rescind'], (e) => leaver.signal(rescindLeaverSignal, { hrEventId: e.eventId }));
      setLifecycle(state, outcome.rescinded ? 'active' : 'terminated');
      return;
    }
    case 'hire':
    case 'rehire': {
      const rehire = event.kind === 'rehire' || state.lifecycle === 'terminated';
      setLifecycle(state, 'joining');
      const joiner = await startChild(joinerWorkflow, {
        workflowId: joinerWorkflowId(event.source, event.employeeId, event.eventId),
        args: [rehire ? { event, rehire } : { event }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: 'joiner: create accounts and grant access from policy',
        typedSearchAttributes: childAttributes(event, 'joiner'),
      });
      // Before the start date a rescind removes what was provisioned.
      const outcome = await relayWhileRunning(state, joiner, ['rescind'], (e) => joiner.signal(rescindJoinerSignal, { hrEventId: e.eventId }));
      setLifecycle(state, outcome.rescinded ? 'unknown' : 'active');
      return;
    }
    case 'change': {
      setLifecycle(state, 'moving');
      const mover = await startChild(moverWorkflow, {
        workflowId: moverWorkflowId(event.source, event.employeeId, event.eventId),
        args: [{ event: merged.event, previous: merged.previous }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: 'mover: grant new access, revoke old after the grace period',
        typedSearchAttributes: childAttributes(event, 'mover'),
      });
      // Further changes during the grace period re-plan the running mover from the latest attributes.
      await relayWhileRunning(state, mover, ['change'], async (e) => {
        if (state.isStale(e)) return hr.recordHrEventSkipped({ event: e, reason: 'stale: an attribute change newer by HR timestamp was already applied' });
        await mover.signal(moverChangeSignal, state.absorb(e).event);
        state.markApplied(e);
      }, event); // later-dated changes wait their turn in the queue
      setLifecycle(state, 'active');
      return;
    }
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

/** Waits for a child while passing on events of the given kinds that arrive for this worker meanwhile. */
async function relayWhileRunning<R>(
  state: EmployeeState,
  child: { result(): Promise<R> },
  kinds: HrEvent['kind'][],
  relay: (event: HrEvent) => Promise<void>,
  notAfter?: HrEvent,
): Promise<R> {
  let finished = false;
  const result = child.result().finally(() => (finished = true));
  const waiting = () => kinds.some((k) => state.hasPendingOf(k, notAfter));
  while (!finished) {
    await condition(() => finished || waiting());
    const kind = finished ? undefined : kinds.find((k) => state.hasPendingOf(k, notAfter));
    const event = kind ? state.takeFirstOf(kind, notAfter) : undefined;
    if (!event) continue;
    await hr.recordHrEvent(event);
    await relay(event);
  }
  return result;
}
