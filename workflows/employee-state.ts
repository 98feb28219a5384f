import type { HrEvent, HrSource, WorkerAttributes } from '../src/hris/hr-event';
import type { EmployeeLifecycle, EmployeeStatus } from '../src/temporal/messages';

export type { EmployeeLifecycle, EmployeeStatus } from '../src/temporal/messages';

export interface EmployeeInput {
  source: HrSource;
  employeeId: string;
  /** Carried over continue-as-new so no event is applied twice or lost. */
  seenEventIds?: string[];
  pending?: HrEvent[];
  lifecycle?: EmployeeLifecycle;
  /** The worker's attributes as the events applied so far describe them. */
  worker?: WorkerAttributes;
  /** Effective date and HR time of the newest change applied: an older one arriving later is stale. */
  lastAppliedKey?: string;
  /** Applied events after which the workflow continues as new, keeping its history small. */
  eventsPerRun?: number;
}

/** A worker's state in the entity workflow: events deduplicated by ID, applied one at a time. */
export class EmployeeState {
  private readonly seen: Set<string>;
  private readonly queue: HrEvent[];
  lifecycle: EmployeeLifecycle;
  current?: HrEvent;
  worker: WorkerAttributes;
  lastAppliedKey?: string;
  appliedThisRun = 0;
  /** The lifecycle workflows running for the worker (a leaver may run beside a joiner or mover). */
  running: NonNullable<EmployeeStatus['running']> = [];

  constructor(readonly input: EmployeeInput) {
    this.seen = new Set(input.seenEventIds ?? []);
    this.queue = [...(input.pending ?? [])];
    this.lifecycle = input.lifecycle ?? 'unknown';
    this.worker = { ...input.worker };
    this.lastAppliedKey = input.lastAppliedKey;
  }

  /**
   * An attribute change that is older than one already applied, by effective date and then by
   * HR's own timestamp, would roll the worker back: it is skipped. Lifecycle events are judged
   * by their children instead.
   */
  isStale(event: HrEvent): boolean {
    return event.kind === 'change' && !!event.occurredAt && !!this.lastAppliedKey && appliedKey(event) < this.lastAppliedKey;
  }

  markApplied(event: HrEvent): void {
    this.appliedThisRun += 1;
    if (event.kind === 'change' && event.occurredAt && (!this.lastAppliedKey || appliedKey(event) > this.lastAppliedKey)) {
      this.lastAppliedKey = appliedKey(event);
    }
  }

  /** Puts an event taken too early back in the queue (a later-dated change waiting its turn). */
  requeue(event: HrEvent): void {
    this.queue.unshift(event);
    this.current = undefined;
  }

  /** True when a queued event takes effect before the given one. */
  hasEarlierThan(event: HrEvent): boolean {
    return this.queue.some((e) => orderKey(e) < orderKey(event));
  }

  /**
   * Applies an event's attributes over what is known (HR payloads may carry only what changed)
   * and returns the event with the merged attributes, plus the attributes from before it.
   */
  absorb(event: HrEvent): { event: HrEvent; previous: WorkerAttributes } {
    const previous = this.worker;
    const reported = Object.fromEntries(Object.entries(event.worker).filter(([, v]) => v !== undefined));
    this.worker = { ...previous, ...reported };
    return { event: { ...event, worker: this.worker }, previous };
  }

  /** An event refused as not genuine: forgotten, so the genuine event of that ID is still taken. */
  forget(event: HrEvent): void {
    this.seen.delete(event.eventId);
    if (this.current === event) this.current = undefined;
  }

  /** Returns false for an event already seen: a redelivery changes nothing. */
  offer(event: HrEvent): boolean {
    if (event.employeeId !== this.input.employeeId || event.source !== this.input.source) return false;
    if (this.seen.has(event.eventId)) return false;
    this.seen.add(event.eventId);
    this.queue.push(event);
    return true;
  }

  hasPending(): boolean {
    return this.queue.length > 0;
  }

  /** Whether an event of this kind is queued, taking effect no later than `notAfter` if given. */
  hasPendingOf(kind: HrEvent['kind'], notAfter?: HrEvent): boolean {
    return this.queue.some((e) => e.kind === kind && (!notAfter || orderKey(e) <= orderKey(notAfter)));
  }

  /** Takes the oldest such queued event out of turn (a rescind overtakes nothing else). */
  takeFirstOf(kind: HrEvent['kind'], notAfter?: HrEvent): HrEvent | undefined {
    const index = this.queue.findIndex((e) => e.kind === kind && (!notAfter || orderKey(e) <= orderKey(notAfter)));
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  /** The queued event that takes effect first (arrival order breaks ties). */
  take(): HrEvent | undefined {
    let best = 0;
    this.queue.forEach((e, i) => {
      if (orderKey(e) < orderKey(this.queue[best] as HrEvent)) best = i;
    });
    this.current = this.queue.splice(best, 1)[0];
    return this.current;
  }

  status(): EmployeeStatus {
    return {
      employeeId: this.input.employeeId,
      source: this.input.source,
      lifecycle: this.lifecycle,
      pendingEvents: this.queue.length,
      appliedEvents: this.seen.size - this.queue.length - (this.current ? 1 : 0),
      ...(this.current ? { current: { eventId: this.current.eventId, kind: this.current.kind } } : {}),
      worker: this.worker,
      running: this.running,
      pending: this.queue.map((e) => ({ eventId: e.eventId, kind: e.kind, ...(e.effectiveDate ? { effectiveDate: e.effectiveDate } : {}) })),
    };
  }

  /** What the next run needs; the seen set is bounded to the most recent IDs. */
  snapshot(maxSeen = 500): EmployeeInput {
    return {
      source: this.input.source,
      employeeId: this.input.employeeId,
      seenEventIds: [...this.seen].slice(-maxSeen),
      pending: [...this.queue],
      lifecycle: this.lifecycle,
      worker: this.worker,
      ...(this.lastAppliedKey ? { lastAppliedKey: this.lastAppliedKey } : {}),
      ...(this.input.eventsPerRun ? { eventsPerRun: this.input.eventsPerRun } : {}),
    };
  }
}

function appliedKey(event: HrEvent): string {
  return `${orderKey(event)}|${event.occurredAt ?? ''}`;
}

/** Events apply in order of effective date; an undated event takes effect the day it arrived. */
function orderKey(event: HrEvent): string {
  return event.immediate || !event.effectiveDate ? event.receivedAt.slice(0, 10) : event.effectiveDate;
}
