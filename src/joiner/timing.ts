import { zonedTimeToUtc } from '../leaver/timing';

/**
 * A joiner's two moments: access is provisioned `leadTimeMs` before the start, and accounts are
 * enabled at the start (midnight of the start date in the worker's zone). Undated hires start
 * at once. Pure: the caller passes the clock.
 */
export interface JoinerTiming {
  startAt: Date;
  provisionAt: Date;
}

export function joinerTiming(startDate: string | undefined, timeZone: string, leadTimeMs: number, now: Date): JoinerTiming {
  const startAt = startDate ? zonedTimeToUtc(startDate, 0, 0, timeZone) : now;
  return { startAt, provisionAt: new Date(startAt.getTime() - leadTimeMs) };
}
