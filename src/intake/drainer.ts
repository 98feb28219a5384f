import type { HrEvent } from '../hris/hr-event';
import type { Logger } from '../log';
import type { Inbox } from './inbox';

/**
 * Re-dispatches inbox events that were stored but not handed to Temporal (it was down, or the
 * process died between the two). Nothing stored is lost; the workflow ignores a redelivery.
 */
export function startDrainer(deps: { inbox: Inbox; dispatch: (e: HrEvent) => Promise<string[]>; log: Logger; everyMs?: number }) {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    for (const row of await deps.inbox.pending(50)) {
      if (stopped) return;
      try {
        await deps.inbox.markDispatched(row.eventId, await deps.dispatch(row.event));
        deps.log.info({ eventId: row.eventId }, 'stored HR event dispatched');
      } catch (err) {
        await deps.inbox.markFailed(row.eventId, (err as Error).message);
        return; // Temporal is likely still down; try again next tick.
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch((err: unknown) => deps.log.warn({ err }, 'inbox drain failed'));
  }, deps.everyMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
