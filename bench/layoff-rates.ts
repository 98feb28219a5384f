/** The rate-bound layoff: the Okta peer's documented buckets, and the floor they set. */
import type { PeerStats } from './peers-process';

/** Okta peer options for the rate-bound scenario (filled in by the peer's documented buckets). */
export const oktaRateLimits = undefined;

export function layoffFloor(_stats: PeerStats): { ms: number; bucket: string; calls: number; perMinute: number } | undefined {
  return undefined;
}
