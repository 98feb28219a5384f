import { allHandlersFinished, condition, continueAsNew, log, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { HrEventActivities } from '../activities/hr-events';
import type { HrEvent } from '../src/hris/hr-event';
import {
  joinerChangeSignal,
  leaverEffectiveSignal,
  leaverWaitingSignal,
  moverChangeSignal,
  othersStoppedSignal,
  rescheduleLeaverSignal,
  rescindJoinerSignal,
  rescindLeaverSignal,
  withdrawSignal,
} from '../src/temporal/messages';
import { startJoiner, startLeaver, startMover } from './employee-children';
import { genuine, verifying } from './hr-verify';
import { Lifecycle } from '../src/temporal/search-attributes';
import type { EmployeeInput, EmployeeLifecycle, EmployeeState } from './employee-state';
import type { employeeWorkflow } from './employee';

/** Applied events per run before continue-as-new (the server may suggest it sooner). */
export const defaultEventsPerRun = 200;

/** How long an idle worker's run lasts before it continues as new (runs that began before this course). */
export const idleTimeout = '7 days';

// Bookkeeping with no retries of its own worth a separate task: local activities.
const hr = proxyLocalActivities<HrEventActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'record HR event',
});

const staleReason = 'stale: an attribute change newer by HR timestamp was already applied';

/** A child workflow running for the worker, watched until it ends. */
interface Lane {
  kind: 'joiner' | 'mover' | 'leaver';
  event: HrEvent;
  workflowId: string;
  handle: ChildWorkflowHandle<never>;
  done: boolean;
  outcome?: { rescinded?: boolean; withdrawn?: string; failed?: boolean; aborted?: boolean; refused?: string };
}

interface LeaverLane extends Lane {
  /** The leaver said it waits for a later effective moment: joiners and movers may run meanwhile. */
  waiting: boolean;
  /** The leaver said its termination took effect. */
  effective: boolean;
  /** It was told nothing else runs for the worker any more. */
  told: boolean;
  /** Joiners or movers that were still running once it took effect. */
  stoppedOthers: number;
}

interface LifecycleLane extends Lane {
  /** It was told to stop because the worker left. */
  withdrawn: boolean;
}

function watch<L extends Lane>(lane: L): L {
  lane.handle.result().then(
    (r: unknown) => {
      lane.done = true;
      lane.outcome = (r ?? {}) as Lane['outcome'];
    },
    (err: unknown) => {
      lane.done = true;
      lane.outcome = { failed: true };
      log.error('a lifecycle workflow of this worker failed', { workflowId: lane.workflowId, error: String(err) });
    },
  );
  return lane;
}

/**
 * The worker's workflow with terminations first. A leaver runs beside whatever else runs for the
 * worker: a termination is taken the moment it arrives (a later one that takes effect earlier
 * brings the waiting leaver forward), and once the leaver says it has taken effect, a running
 * joiner or mover is told to stop, and the leaver is told when it has. Changes before a joiner
 * finishes re-plan it; changes while a mover waits re-plan the mover; other events take turns.
 */
export async function runEntity(state: EmployeeState, input: EmployeeInput): Promise<never> {
  let leaver: LeaverLane | undefined;
  let lifecycle: LifecycleLane | undefined;
  /** What the worker is when nothing runs: unknown, active or terminated. */
  let base: EmployeeLifecycle = state.lifecycle === 'offboarding' ? 'terminated' : state.lifecycle === 'joining' || state.lifecycle === 'moving' ? 'active' : state.lifecycle;
  setHandler(leaverEffectiveSignal, ({ leaverWorkflowId }) => {
    if (leaver?.workflowId === leaverWorkflowId) leaver.effective = true;
  });
  setHandler(leaverWaitingSignal, ({ leaverWorkflowId }) => {
    if (leaver?.workflowId === leaverWorkflowId) leaver.waiting = true;
  });

  // The search attribute follows the state, except for the moment a leaver that takes effect at
  // once is running (each upsert is a billed Action; the status query always says offboarding).
  let published = state.lifecycle;
  const show = () => {
    const next: EmployeeLifecycle = leaver ? 'offboarding' : lifecycle?.kind === 'joiner' ? 'joining' : lifecycle?.kind === 'mover' ? 'moving' : base;
    state.lifecycle = next;
    state.current = leaver?.event ?? lifecycle?.event;
    state.running = ([leaver, lifecycle] as (Lane | undefined)[]).filter((l): l is Lane => l !== undefined).map((l) => ({ kind: l.kind, eventId: l.event.eventId, workflowId: l.workflowId }));
    const worthShowing = next !== 'offboarding' || leaver?.waiting === true || leaver?.effective === true;
    if (next !== published && worthShowing) {
      upsertSearchAttributes([{ key: Lifecycle, value: next }]);
      published = next;
    }
  };
  const leaverGone = () => base === 'terminated' || leaver?.effective === true;
  /** Something a lane needs from this workflow now. */
  const laneAttention = () =>
    leaver?.done === true ||
    lifecycle?.done === true ||
    (leaver?.effective === true && !leaver.told && (!lifecycle || !lifecycle.withdrawn || lifecycle.done));
  const control = () => state.hasPendingOf('terminate') || state.hasPendingOf('rescind');
  const relayable = () =>
    !!lifecycle && !lifecycle.withdrawn && !lifecycle.done && !leaverGone() && state.hasPendingOf('change', lifecycle.kind === 'mover' ? lifecycle.event : undefined);
  // While a leaver has not said it waits, it may take effect any moment: nothing new starts beside it.
  const startable = () => !lifecycle && (!leaver || (leaver.waiting && !leaver.effective)) && state.hasPending();
  const anything = () => laneAttention() || control() || relayable() || startable();
  const idle = () => !leaver && !lifecycle && !state.hasPending();

  for (;;) {
    if (idle()) {
      if (workflowInfo().continueAsNewSuggested || state.appliedThisRun >= (input.eventsPerRun ?? defaultEventsPerRun)) break;
      // An idle worker's run just waits (no timer: its history does not grow while idle).
      await condition(() => !idle());
      continue;
    }
    await condition(anything);

    if (leaver?.done) {
      // A termination whose mass-termination hold was aborted left the worker's accounts enabled.
      if (leaver.outcome?.rescinded || leaver.outcome?.aborted) base = 'active';
      else if (!leaver.outcome?.failed && !leaver.outcome?.refused) base = 'terminated';
      leaver = undefined;
    } else if (lifecycle?.done) {
      const { kind, outcome } = lifecycle;
      const finished = !outcome?.withdrawn && !outcome?.failed && !outcome?.refused;
      if (finished && kind === 'joiner') base = outcome?.rescinded ? 'unknown' : 'active';
      if (finished && kind === 'mover') base = 'active';
      // It ran beside a leaver in effect: its last steps may have landed after the sessions ended.
      if (leaver?.effective && !leaver.told) leaver.stoppedOthers += 1;
      lifecycle = undefined;
    } else if (leaver?.effective && !leaver.told && lifecycle && !lifecycle.withdrawn) {
      lifecycle.withdrawn = true;
      const withdraw = { reason: 'worker_left' as const, hrEventId: leaver.event.eventId, leaverWorkflowId: leaver.workflowId };
      await delivered(lifecycle.handle.signal(withdrawSignal, withdraw));
    } else if (leaver?.effective && !leaver.told && (!lifecycle || lifecycle.done)) {
      leaver.told = true;
      await delivered(leaver.handle.signal(othersStoppedSignal, { stopped: leaver.stoppedOthers }));
    } else if (control()) {
      const event = state.takeFirstOf(state.hasPendingOf('terminate') ? 'terminate' : 'rescind') as HrEvent;
      if (!(await admitted(state, event))) {
        // Refused: nothing is done for it.
      } else if (event.kind === 'terminate') leaver = await terminate(state, event, leaver, !!lifecycle && !lifecycle.done);
      else await rescind(event, leaver, lifecycle);
    } else if (relayable() && lifecycle) {
      const event = state.takeFirstOf('change', lifecycle.kind === 'mover' ? lifecycle.event : undefined) as HrEvent;
      if (!(await admitted(state, event))) {
        // Refused: nothing is relayed.
      } else if (state.isStale(event)) await hr.recordHrEventSkipped({ event, reason: staleReason });
      else {
        const previous = state.worker;
        const sent = await delivered(lifecycle.handle.signal(lifecycle.kind === 'joiner' ? joinerChangeSignal : moverChangeSignal, state.absorb(event).event));
        if (sent) state.markApplied(event);
        else {
          // It ended a moment ago: the change takes its own turn after it.
          state.worker = previous;
          state.requeue(event);
        }
      }
    } else if (startable()) {
      lifecycle = await begin(state, base, () => laneAttention() || control());
    }
    show();
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof employeeWorkflow>(state.snapshot());
}

/** A termination: starts the leaver, or hands it to the one waiting (it takes the earlier moment). */
async function terminate(state: EmployeeState, event: HrEvent, leaver: LeaverLane | undefined, othersRunning: boolean): Promise<LeaverLane> {
  const merged = state.absorb(event).event;
  state.markApplied(event);
  if (leaver && !leaver.effective) {
    if (await delivered(leaver.handle.signal(rescheduleLeaverSignal, merged))) return leaver;
    // It ended a moment ago: this termination gets a leaver of its own once that lane is cleared.
    state.requeue(event);
    return leaver;
  }
  if (leaver) {
    await hr.recordHrEventSkipped({ event, reason: 'a termination is already being carried out' });
    return leaver;
  }
  const handle = await startLeaver(merged, { coordinated: true, othersRunning });
  return watch<LeaverLane>({ kind: 'leaver', event, workflowId: handle.workflowId, handle: handle as ChildWorkflowHandle<never>, done: false, waiting: false, effective: false, told: false, stoppedOthers: 0 });
}

/** A rescind: withdraws a termination not yet in effect, else a hire before its start. */
async function rescind(event: HrEvent, leaver: LeaverLane | undefined, lifecycle: LifecycleLane | undefined): Promise<void> {
  const to = leaver ? leaver.handle.signal(rescindLeaverSignal, { hrEventId: event.eventId }) : lifecycle?.kind === 'joiner' && !lifecycle.withdrawn ? lifecycle.handle.signal(rescindJoinerSignal, { hrEventId: event.eventId }) : undefined;
  if (!to || !(await delivered(to))) log.info('rescind with nothing running to withdraw', { eventId: event.eventId });
}

/**
 * Takes an event in: checked against the inbox and recorded as received, or refused (evidence
 * hr_event.unverified and an alert) and forgotten, so the genuine event of that ID is still taken.
 * Runs from before the check record it as they did.
 */
async function admitted(state: EmployeeState, event: HrEvent): Promise<boolean> {
  if (!verifying()) {
    await hr.recordHrEvent(event);
    return true;
  }
  if (await genuine({ event, path: 'entity_signal', recordReceived: true })) return true;
  state.forget(event);
  return false;
}

/** A signal to a child that may have ended a moment ago: false when it could not be delivered. */
async function delivered(signal: Promise<void>): Promise<boolean> {
  try {
    await signal;
    return true;
  } catch (err) {
    log.info('a child workflow ended before a signal reached it', { error: String(err) });
    return false;
  }
}

/**
 * Takes the next hire or change in turn and starts its workflow. A change dated ahead waits for
 * its date; anything more urgent arriving meanwhile (a termination, an earlier-dated event, a
 * lane that needs attention) goes first and the change waits its turn again.
 */
async function begin(state: EmployeeState, base: EmployeeLifecycle, urgent: () => boolean): Promise<LifecycleLane | undefined> {
  const event = state.take();
  if (!event) return undefined;
  if (event.kind === 'terminate' || event.kind === 'rescind') {
    state.requeue(event); // taken out of turn by the caller
    return undefined;
  }
  // Checked before anything else is done with it, even the wait for its date.
  const checked = verifying();
  if (checked && !(await admitted(state, event))) return undefined;
  if (event.kind === 'change' && event.effectiveDate) {
    const waitMs = await hr.millisUntilEffective(event);
    if (waitMs > 0 && (await condition(() => state.hasEarlierThan(event) || urgent(), waitMs, { summary: 'wait for change effective date' }))) {
      state.requeue(event);
      return undefined;
    }
  }
  if (!checked) await hr.recordHrEvent(event);
  if (state.isStale(event)) {
    await hr.recordHrEventSkipped({ event, reason: staleReason });
    return undefined;
  }
  const merged = state.absorb(event);
  state.markApplied(event);
  if (event.kind === 'change' && base === 'terminated') {
    await hr.recordHrEventSkipped({ event, reason: 'the worker has left: a change grants nothing (a rehire brings them back)' });
    return undefined;
  }
  const handle =
    event.kind === 'change'
      ? await startMover(merged.event, merged.previous)
      : await startJoiner(event, event.kind === 'rehire' || base === 'terminated');
  const kind = event.kind === 'change' ? 'mover' : 'joiner';
  return watch<LifecycleLane>({ kind, event, workflowId: handle.workflowId, handle: handle as ChildWorkflowHandle<never>, done: false, withdrawn: false });
}
