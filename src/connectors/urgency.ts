/**
 * Which requests end sessions. A leaver's session kill (and the disable that stands for one in a
 * system without a session call) runs inside `endingSessions`; every request a connector sends
 * from there is served first by that system's pacer, ahead of requests already waiting to disable
 * or revoke for other leavers. In a burst, nobody's clean-up delays anybody's session kill.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const lane = new AsyncLocalStorage<'sessions'>();

/** Runs `fn` with its requests marked as ending sessions. */
export function endingSessions<T>(fn: () => Promise<T>): Promise<T> {
  return lane.run('sessions', fn);
}

/** True inside `endingSessions` (however deep in the connector). */
export function isEndingSessions(): boolean {
  return lane.getStore() === 'sessions';
}
