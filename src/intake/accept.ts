import { workflowIdsFor, type HrEvent } from '../hris/hr-event';
import type { Inbox, InboxStatus } from './inbox';

/** How one event of a delivery (webhook or poll) was taken in. */
export interface DeliveredEvent {
  eventId: string;
  employeeId: string;
  kind: HrEvent['kind'];
  duplicate: boolean;
  /** received: stored, handed over to its workflow in a moment; dispatched: handed over already. */
  status: InboxStatus;
  /** The workflows the event goes to; known before the hand-over (they follow from the event). */
  workflowIds: string[];
}

export interface IntakeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface IntakeDeps {
  inbox: Inbox;
  /** Told how many stored events wait: the dispatcher hands them over now rather than at its next look. */
  handOver: (waiting: number) => void;
  log: IntakeLogger;
}

/**
 * The one intake path every HRIS delivery takes, whether a webhook or a poll found it: store
 * the events in the inbox (one transaction; a known event ID is a duplicate and starts nothing
 * new), wake the dispatcher, and say where each event goes. Whether Temporal answers does not
 * matter here: the answer waits only for Postgres. Throws only when the inbox cannot store them.
 */
export async function acceptEvents(deps: IntakeDeps, events: readonly HrEvent[], options: { deliveryId?: string } = {}): Promise<DeliveredEvent[]> {
  const stored = await deps.inbox.record(events, options);
  const waiting = stored.filter((s) => s.status !== 'dispatched').length;
  if (waiting > 0) deps.handOver(waiting);
  return stored.map(({ event, duplicate, status }) => ({
    eventId: event.eventId,
    employeeId: event.employeeId,
    kind: event.kind,
    duplicate,
    status,
    workflowIds: workflowIdsFor(event),
  }));
}
