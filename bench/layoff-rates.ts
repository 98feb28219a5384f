/**
 * The rate-bound layoff: the Okta peer enforces Okta's documented buckets and concurrency limit
 * (test/peers/okta-rate-limits.ts), and the floor is the least time those buckets allow for the
 * calls that end every leaver's Okta sessions: a look-up (GET /api/v1/users/{login}) and a session
 * kill (DELETE /api/v1/users/{id}/sessions) each. Okta's windows turn over on whole minutes; the
 * benchmark starts on a turnover, so with N leavers and a bucket of L a minute the N calls need
 * ceil(N / L) windows: the floor is (ceil(N / L) - 1) minutes, or, when one window holds them all,
 * the time the calls take at the system's configured concurrency.
 */
import { oktaDocumentedBuckets, type OktaRateLimitStats } from '../test/peers/okta-rate-limits';

const windowMs = 60_000;

/** The calls that end one leaver's Okta sessions, as the Okta connector makes them. */
const sessionCalls = [
  { method: 'GET', path: '/api/v1/users/laid.off%40acme.test' },
  { method: 'DELETE', path: '/api/v1/users/00u0000000000000000/sessions' },
] as const;

export interface SessionsFloor {
  ms: number;
  /** The bucket that sets it. */
  bucket: string;
  calls: number;
  perMinute: number;
}

/** The least time Okta's documented buckets allow for N leavers' session-ending calls. */
export function sessionsFloor(leavers: number, concurrency: number, latencyMs: number): SessionsFloor {
  const byBucket = new Map<string, { perMinute: number; calls: number }>();
  for (const call of sessionCalls) {
    const bucket = oktaDocumentedBuckets.find((b) => b.match(call.method, call.path));
    if (!bucket) throw new Error(`no documented Okta bucket for ${call.method} ${call.path}`);
    const entry = byBucket.get(bucket.name) ?? { perMinute: bucket.perMinute, calls: 0 };
    entry.calls += leavers;
    byBucket.set(bucket.name, entry);
  }
  // One call after another per leaver, `concurrency` leavers at a time.
  const throughputMs = Math.ceil(leavers / concurrency) * sessionCalls.length * latencyMs;
  let floor: SessionsFloor = { ms: throughputMs, bucket: `concurrency ${concurrency}`, calls: leavers * sessionCalls.length, perMinute: 0 };
  for (const [name, b] of byBucket) {
    const ms = (Math.ceil(b.calls / b.perMinute) - 1) * windowMs;
    if (ms > floor.ms) floor = { ms, bucket: name, calls: b.calls, perMinute: b.perMinute };
  }
  return floor;
}

/** ms to wait from `now` for the next whole minute (Okta's windows), plus a margin. */
export function untilNextWindow(now = Date.now(), marginMs = 200): number {
  return windowMs - (now % windowMs) + marginMs;
}

/** 429s the peer sent, per bucket and for concurrency. */
export function refusals(stats: OktaRateLimitStats): { total: number; byBucket: Record<string, number>; concurrency: number } {
  const byBucket = Object.fromEntries(Object.entries(stats.buckets).map(([name, b]) => [name, b.limited]).filter(([, n]) => Number(n) > 0));
  const total = Object.values(stats.buckets).reduce((a, b) => a + b.limited, 0) + stats.concurrency.limited;
  return { total, byBucket, concurrency: stats.concurrency.limited };
}
