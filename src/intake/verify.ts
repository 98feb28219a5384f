import { digestOf } from '../hris/digest';
import type { HrEvent, LifecycleKind, WorkerAttributes } from '../hris/hr-event';
import type { InboxRow } from './inbox';

/**
 * Why an HR event a workflow was given is refused: it did not come through the intake (a
 * signature-checked webhook or a poll), or it differs from what the intake stored.
 */
export type UnverifiedReason = 'not_in_inbox' | 'other_worker' | 'other_kind' | 'content_differs' | 'attributes_not_reported';

/** An HR event as a workflow was given it, to be checked against the inbox row of its ID. */
export interface GivenHrEvent {
  event: HrEvent;
  /**
   * Its attributes were merged over the worker's earlier ones by the worker's workflow (as
   * lifecycle workflows are given them): its own fields must equal the stored event's, and each
   * further attribute must have been reported for this worker by an earlier stored event.
   */
  merged?: boolean;
  /** The worker's attributes before the event (a mover's): each must have been reported too. */
  previous?: WorkerAttributes;
}

/** An HR event named by ID only (a rescind, a withdrawal because of a termination). */
export interface HrEventReference {
  eventId: string;
  source: string;
  employeeId: string;
  kinds: readonly LifecycleKind[];
}

/** SHA-256 over the event's stable JSON: equal content, equal digest. */
export const hrEventDigest = (event: unknown): string => digestOf(event, 64);

/**
 * Checks what a workflow was given against the inbox: the row must exist for its event ID, for
 * the same worker (source and employee) and kind, with the same content (by digest). `earlier`
 * holds the worker's stored events up to this one, for the attributes a merged event carries.
 */
export function checkGivenEvent(given: GivenHrEvent, stored: InboxRow | undefined, earlier: readonly HrEvent[] = []): UnverifiedReason | undefined {
  const event = given.event;
  if (!stored) return 'not_in_inbox';
  if (stored.source !== event.source || stored.employeeId !== event.employeeId) return 'other_worker';
  if (stored.kind !== event.kind) return 'other_kind';
  const own = given.merged ? { ...event, worker: pick(event.worker, Object.keys(stored.event.worker ?? {})) } : event;
  if (hrEventDigest(own) !== hrEventDigest(stored.event)) return 'content_differs';
  if (!given.merged && given.previous === undefined) return undefined;
  const reported = reportedValues(earlier.filter((e) => e.source === event.source && e.employeeId === event.employeeId));
  const carried = [...Object.entries(event.worker ?? {}), ...Object.entries(given.previous ?? {})];
  return carried.every(([key, value]) => value === undefined || reported.has(`${key}=${hrEventDigest(value)}`)) ? undefined : 'attributes_not_reported';
}

/** Checks an event named by ID: it must be stored, for this worker, of one of these kinds. */
export function checkReference(ref: HrEventReference, stored: InboxRow | undefined): UnverifiedReason | undefined {
  if (!stored) return 'not_in_inbox';
  if (stored.source !== ref.source || stored.employeeId !== ref.employeeId) return 'other_worker';
  return ref.kinds.includes(stored.kind) ? undefined : 'other_kind';
}

function pick(worker: WorkerAttributes, keys: readonly string[]): WorkerAttributes {
  const all = worker as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => all[k] !== undefined).map((k) => [k, all[k]])) as WorkerAttributes;
}

/** Every attribute value the worker's stored events reported, as `key=digest`. */
function reportedValues(events: readonly HrEvent[]): Set<string> {
  const values = new Set<string>();
  for (const e of events) {
    for (const [key, value] of Object.entries(e.worker ?? {})) if (value !== undefined) values.add(`${key}=${hrEventDigest(value)}`);
  }
  return values;
}
