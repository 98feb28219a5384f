import { allHandlersFinished, condition, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HrEventActivities } from '../activities/hr-events';
import type { HrEvent, WorkerAttributes } from '../src/hris/hr-event';
import { moverChangeSignal, rescindJoinerSignal, rescindLeaverSignal } from '../src/temporal/messages';
import { setLifecycle, startJoiner, startLeaver, startMover } from './employee-children';
import type { EmployeeInput, EmployeeState } from './employee-state';
import type { employeeWorkflow } from './employee';

/**
 * How a worker's workflow applied events before a termination came first: one event at a time,
 * each child run to its end, with only rescinds (joiner, leaver) or changes (mover) passed on
 * meanwhile. Kept, unchanged, for runs whose history started this way (replay must give the same
 * commands); they take the new path when they continue as new.
 */

const hr = proxyActivities<HrEventActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record HR event',
});

/** One turn of the old loop: take the next event, apply it, continue as new when due. */
export async function legacyTurn(state: EmployeeState, input: EmployeeInput, eventsPerRun: number): Promise<void> {
  const event = state.take();
  if (!event) return;
  if (event.kind === 'change' && event.effectiveDate) {
    // A future-dated change waits for its date; an earlier-dated event arriving meanwhile goes first.
    const waitMs = await hr.millisUntilEffective(event);
    if (waitMs > 0 && (await condition(() => state.hasEarlierThan(event), waitMs, { summary: 'wait for change effective date' }))) {
      state.requeue(event);
      return;
    }
  }
  await hr.recordHrEvent(event);
  if (state.isStale(event)) {
    await hr.recordHrEventSkipped({ event, reason: 'stale: an attribute change newer by HR timestamp was already applied' });
    state.current = undefined;
    return;
  }
  const merged = state.absorb(event);
  state.markApplied(event);
  await apply(state, event, merged);
  state.current = undefined;
  if (workflowInfo().continueAsNewSuggested || state.appliedThisRun >= (input.eventsPerRun ?? eventsPerRun)) {
    await condition(allHandlersFinished);
    await continueAsNew<typeof employeeWorkflow>(state.snapshot());
  }
}

async function apply(state: EmployeeState, event: HrEvent, merged: { event: HrEvent; previous: WorkerAttributes }): Promise<void> {
  switch (event.kind) {
    case 'terminate': {
      setLifecycle(state, 'offboarding');
      const leaver = await startLeaver(event);
      // Before the termination takes effect a rescind cancels it; after, the leaver finishes.
      const outcome = await relayWhileRunning(state, leaver, ['rescind'], (e) => leaver.signal(rescindLeaverSignal, { hrEventId: e.eventId }));
      setLifecycle(state, outcome.rescinded ? 'active' : 'terminated');
      return;
    }
    case 'hire':
    case 'rehire': {
      const rehire = event.kind === 'rehire' || state.lifecycle === 'terminated';
      setLifecycle(state, 'joining');
      const joiner = await startJoiner(event, rehire);
      // Before the start date a rescind removes what was provisioned.
      const outcome = await relayWhileRunning(state, joiner, ['rescind'], (e) => joiner.signal(rescindJoinerSignal, { hrEventId: e.eventId }));
      setLifecycle(state, outcome.rescinded ? 'unknown' : 'active');
      return;
    }
    case 'change': {
      setLifecycle(state, 'moving');
      const mover = await startMover(merged.event, merged.previous);
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
