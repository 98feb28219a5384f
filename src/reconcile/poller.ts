import type { HrEvent, HrSource } from '../hris/hr-event';
import type { KnownWorker } from './bamboohr-poll';

export type { KnownWorker } from './bamboohr-poll';

/** A window of HR time to look for changes in. */
export interface PollWindow {
  from: Date;
  through: Date;
}

export interface PollContext {
  /** What the engine knows of a worker (their workflow's status); undefined when never seen. */
  known(employeeId: string): Promise<KnownWorker | undefined>;
  /** When the poll started (ISO-8601 UTC): the events' receivedAt. */
  receivedAt: string;
  /** Called between pages and workers, so a long poll shows it is alive. */
  heartbeat(): void;
}

/**
 * One HRIS's half of reconciliation: the HR events that bring the engine in line with the
 * changes the HRIS reports in a window. Events must carry `via: 'poll'` and event IDs that a
 * repeat of the same poll reproduces, so the inbox absorbs them.
 */
export type HrisPoller = (window: PollWindow, context: PollContext) => Promise<HrEvent[]>;

export type HrisPollers = Partial<Record<HrSource, HrisPoller>>;
