import type { HrEvent, HrSource, WorkerAttributes } from '../src/hris/hr-event';

export interface EmployeeInput {
  source: HrSource;
  employeeId: string;
  /** Carried over continue-as-new so no event is applied twice or lost. */
  seenEventIds?: string[];
  pending?: HrEvent[];
  lifecycle?: EmployeeLifecycle;
  /** The worker's attributes as the events applied so far describe them. */
  worker?: WorkerAttributes;
}

export type EmployeeLifecycle = 'unknown' | 'joining' | 'active' | 'moving' | 'offboarding' | 'terminated';

export interface EmployeeStatus {
  employeeId: string;
  source: HrSource;
  lifecycle: EmployeeLifecycle;
  pendingEvents: number;
  appliedEvents: number;
  current?: { eventId: string; kind: HrEvent['kind'] };
  /** The worker's attributes as applied events describe them (for preview and the API). */
  worker: WorkerAttributes;
  /** Events received but not applied yet, oldest first. */
  pending: { eventId: string; kind: HrEvent['kind']; effectiveDate?: string }[];
}

/** A worker's state in the entity workflow: events deduplicated by ID, applied one at a time. */
export class EmployeeState {
  private readonly seen: Set<string>;
  private readonly queue: HrEvent[];
  lifecycle: EmployeeLifecycle;
  current?: HrEvent;
  worker: WorkerAttributes;

  constructor(readonly input: EmployeeInput) {
    this.seen = new Set(input.seenEventIds ?? []);
    this.queue = [...(input.pending ?? [])];
    this.lifecycle = input.lifecycle ?? 'unknown';
    this.worker = { ...input.worker };
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

  hasPendingOf(kind: HrEvent['kind']): boolean {
    return this.queue.some((e) => e.kind === kind);
  }

  /** Takes the oldest queued event of a kind out of turn (a rescind overtakes nothing else). */
  takeFirstOf(kind: HrEvent['kind']): HrEvent | undefined {
    const index = this.queue.findIndex((e) => e.kind === kind);
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  take(): HrEvent | undefined {
    this.current = this.queue.shift();
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
    };
  }
}
