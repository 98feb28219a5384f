/**
 * A step that may wait its turn (a system's pacer, a rate-limit reset) before and between its
 * calls tells Temporal it is alive every few seconds, so that its timeout can be long (a burst of
 * leavers queues behind each system's limits) while a worker that died mid-step is noticed in
 * seconds by the heartbeat timeout and the step retried elsewhere. A step done before the first
 * beat sends none (no Actions for the ordinary case).
 */
import { Context } from '@temporalio/activity';

export const keepAliveEveryMs = 5_000;

export function keptAlive<A extends unknown[], R>(step: (...args: A) => Promise<R>, everyMs = keepAliveEveryMs): (...args: A) => Promise<R> {
  return async (...args: A) => {
    let ctx: Context | undefined;
    try {
      ctx = Context.current();
    } catch {
      // Called outside an activity (a direct call): nobody to tell.
    }
    const timer = ctx ? setInterval(() => ctx.heartbeat(), everyMs) : undefined;
    try {
      return await step(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
