import type { HrEvent } from '../hris/hr-event';
import type { Inbox, InboxStatus } from './inbox';

/** How one event of a delivery (webhook or poll) was taken in. */
export interface DeliveredEvent {
  eventId: string;
  employeeId: string;
  kind: HrEvent['kind'];
  duplicate: boolean;
  status: InboxStatus;
  workflowIds: string[];
}

export interface IntakeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface IntakeDeps {
  inbox: Inbox;
  /** Starts or signals the worker's workflow; returns the workflow IDs; throws if Temporal is unreachable. */
  dispatch: (event: HrEvent) => Promise<string[]>;
  log: IntakeLogger;
}

/**
 * The one intake path every HRIS delivery takes, whether a webhook or a poll found it: store
 * the events in the inbox (one transaction; a known event ID is a duplicate and starts nothing
 * new), then hand each new one to its worker's workflow. Throws only when the inbox cannot
 * store them; a failed hand-off leaves the event stored for the drainer.
 */
export async function acceptEvents(deps: IntakeDeps, events: readonly HrEvent[], options: { deliveryId?: string } = {}): Promise<DeliveredEvent[]> {
  const stored = await deps.inbox.record(events, options);
  const delivered = stored.map(({ event, duplicate, status, workflowIds }) => ({
    item: { eventId: event.eventId, employeeId: event.employeeId, kind: event.kind, duplicate, status, workflowIds } as DeliveredEvent,
    event,
  }));
  // One worker's events go over in delivery order; different workers' side by side, a few at a time.
  const byWorker = new Map<string, typeof delivered>();
  for (const d of delivered) byWorker.set(`${d.event.source}:${d.event.employeeId}`, [...(byWorker.get(`${d.event.source}:${d.event.employeeId}`) ?? []), d]);
  const queues = [...byWorker.values()];
  const lane = async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const { item, event } of queue) if (!item.duplicate || item.status !== 'dispatched') await handOver(deps, item, event);
    }
  };
  await Promise.all(Array.from({ length: Math.min(handOverLanes, queues.length) }, lane));
  return delivered.map((d) => d.item);
}

/** Hand-offs to Temporal in flight at once for one delivery (a poll after an outage can carry hundreds). */
const handOverLanes = 8;

/** Dispatch, then record the outcome; a failure leaves the event stored for the drainer. */
async function handOver(deps: IntakeDeps, item: DeliveredEvent, event: HrEvent): Promise<void> {
  let workflowIds: string[];
  try {
    workflowIds = await deps.dispatch(event);
  } catch (err) {
    deps.log.warn({ eventId: item.eventId, err: (err as Error).message }, 'dispatch failed; the event stays in the inbox for retry');
    item.status = 'failed';
    item.workflowIds = [];
    await deps.inbox
      .markFailed(item.eventId, err)
      .catch((e: unknown) => deps.log.error({ eventId: item.eventId, err: e }, 'could not mark inbox event failed'));
    return;
  }
  item.status = 'dispatched';
  item.workflowIds = workflowIds;
  await deps.inbox.markDispatched(item.eventId, workflowIds).catch((e: unknown) =>
    // Dispatch is idempotent per event ID, so a drainer re-sending it later is harmless.
    deps.log.error({ eventId: item.eventId, err: e }, 'could not mark inbox event dispatched'),
  );
}
