import { zonedTimeToUtc } from '../leaver/timing';

/**
 * A joiner's two moments: access is provisioned `leadTimeMs` before the start, and accounts are
 * enabled at the start (`startLocalTime`, "HH:MM" or "HH:MM:SS", on the start date in the
 * worker's zone; midnight by default). Undated hires start at once. Pure: the caller passes the
 * clock.
 */
export interface JoinerTiming {
  startAt: Date;
  provisionAt: Date;
}

export function joinerTiming(startDate: string | undefined, timeZone: string, leadTimeMs: number, now: Date, startLocalTime = '00:00'): JoinerTiming {
  let startAt = now;
  if (startDate) {
    const { hours, minutes, seconds } = parseLocalTime(startLocalTime);
    startAt = zonedTimeToUtc(startDate, hours, minutes, timeZone, seconds);
  }
  return { startAt, provisionAt: new Date(startAt.getTime() - leadTimeMs) };
}

/** "HH:MM" or "HH:MM:SS", 24h. */
export function parseLocalTime(value: string): { hours: number; minutes: number; seconds: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(value);
  if (!match) throw new RangeError(`not an HH:MM or HH:MM:SS time: ${value}`);
  return { hours: Number(match[1]), minutes: Number(match[2]), seconds: Number(match[3] ?? 0) };
}
