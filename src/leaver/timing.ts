/**
 * When a termination takes effect (see DESIGN "Leaver timing"): an immediate (or undated)
 * termination when the engine received it; otherwise at the cutoff local time on the
 * termination date in the worker's own time zone. A result in the past means "act now".
 */
export interface TerminationTiming {
  effectiveDate?: string;
  immediate: boolean;
  timeZone: string;
  cutoffLocalTime: string;
}

export function terminationTakesEffectAt(t: TerminationTiming, receivedAt: Date): Date {
  if (t.immediate || !t.effectiveDate) return receivedAt;
  const [hh, mm] = t.cutoffLocalTime.split(':').map(Number) as [number, number];
  return zonedTimeToUtc(t.effectiveDate, hh, mm, t.timeZone);
}

/**
 * UTC instant of a wall-clock time in an IANA zone, DST-aware. A time that occurs twice (the
 * hour repeated when clocks go back) is its first occurrence; a time that does not exist (the
 * hour skipped when clocks go forward) moves forward by the gap, so 02:30 on a spring-forward
 * night is 03:30 new time, as calendars and Temporal's "compatible" rule do.
 */
export function zonedTimeToUtc(date: string, hours: number, minutes: number, timeZone: string, seconds = 0): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const wallAsUtc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), hours, minutes, seconds);
  const day = 86_400_000;
  const before = wallAsUtc - offsetMs(new Date(wallAsUtc - day), timeZone);
  const after = wallAsUtc - offsetMs(new Date(wallAsUtc + day), timeZone);
  const shows = (t: number) => t + offsetMs(new Date(t), timeZone) === wallAsUtc;
  const valid = [before, after].filter(shows);
  // No candidate shows the wall time: it falls in a gap; the offset from before the gap moves it forward.
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

/** One formatter per zone: building one costs far more than using it (every leaver plans with several). */
const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClockOf(timeZone: string): Intl.DateTimeFormat {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallClocks.set(timeZone, f);
  }
  return f;
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetMs(at: Date, timeZone: string): number {
  const parts = wallClockOf(timeZone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The worker's own zone when HR gives a valid one, else the configured default. */
export function workerTimeZone(reported: string | undefined, fallback: string): string {
  return reported && isValidTimeZone(reported) ? reported : fallback;
}
