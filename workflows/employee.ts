import { allHandlersFinished, condition, continueAsNew, log, patched, setHandler } from '@temporalio/workflow';
import { hrEventSignal, statusQuery } from '../src/temporal/messages';
import { legacyTurn } from './employee-legacy';
import { defaultEventsPerRun, idleTimeout, runEntity } from './employee-run';
import { EmployeeState, type EmployeeInput } from './employee-state';

export type { EmployeeInput, EmployeeStatus } from './employee-state';

/**
 * One workflow per worker (`employee-<source>-<id>`): takes that worker's HR events in, applies
 * each once, and runs the lifecycle child workflows. A termination comes first: it is taken as
 * soon as it arrives, and when it takes effect a running joiner or mover is stopped.
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
    // Runs that began before terminations came first keep their old course until they continue as new.
    if (patched('termination-first')) return runEntity(state, input);
    await legacyTurn(state, input, defaultEventsPerRun);
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof employeeWorkflow>(state.snapshot());
}
