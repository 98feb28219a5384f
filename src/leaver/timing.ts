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

/** UTC instant of a wall-clock time in an IANA zone (DST-aware, resolved by two passes). */
export function zonedTimeToUtc(date: string, hours: number, minutes: number, timeZone: string, seconds = 0): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const wallAsUtc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), hours, minutes, seconds);
  let guess = wallAsUtc - offsetMs(new Date(wallAsUtc), timeZone);
  guess = wallAsUtc - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
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
