/**
 * Okta's rate limits as the Okta peer enforces them, from Okta's developer documentation:
 *  - "Management rate limits": per-endpoint buckets, each with its own per-minute limit and window.
 *    Every answer carries X-Rate-Limit-Limit, -Remaining and -Reset (UTC epoch seconds) of the
 *    bucket the request fell in; past the limit Okta answers 429 E0000047.
 *  - "Additional rate limits": a limit on concurrent requests per org (75 for Enterprise and
 *    Workforce Identity orgs); the first request past it is answered 429.
 *  - "Rate limit best practices": a request refused for concurrency reports X-Rate-Limit-Limit: 0
 *    and X-Rate-Limit-Remaining: 0 ("the first two header values are always 0 for concurrent rate
 *    limit errors"), and X-Rate-Limit-Reset is only an estimate of when a slot frees up. Below the
 *    concurrency limit the headers report the per-minute bucket only.
 * Windows are fixed and aligned to the epoch (a new one every `windowMs`), so the Reset a client
 * sees is the exact second its bucket turns over.
 */
import type { Response } from 'express';

export interface OktaRateLimitBucket {
  /** Unique; names the bucket in stats. */
  name: string;
  /** Whether a request (method, full path such as /api/v1/users/00u…/sessions) falls in this bucket; the first match takes it. */
  match: (method: string, path: string) => boolean;
  /** Requests per window: a minute, as Okta's, unless `windowMs` shortens it (tests do). */
  perMinute: number;
}

export interface OktaRateLimits {
  buckets: readonly OktaRateLimitBucket[];
  /** Requests in flight at once, org-wide, before a 429 (Okta: 75 for Enterprise and Workforce Identity). */
  concurrency?: number;
  /** Length of one rate-limit window (default 60 000, Okta's minute). */
  windowMs?: number;
  /** The peer's clock for windows and resets (tests move it); default Date.now. */
  now?: () => number;
}

export interface OktaBucketStats {
  name: string;
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  /** Every request counted against the bucket, refused ones included. */
  requests: number;
  /** Requests the bucket let through (requests - limited - injected). */
  accepted: number;
  /** 429s because the bucket was spent. */
  limited: number;
  /** 429s a test asked for with rateLimitNext. */
  injected: number;
  /**
   * The least time, from the bucket's first request, in which it could have let `accepted` requests
   * through: the window turnovers they needed, the first one where the peer's windows fall.
   */
  floorMs: number;
}

export interface OktaRateLimitStats {
  buckets: Record<string, OktaBucketStats>;
  concurrency: { limit: number | undefined; limited: number; peak: number };
}

/** A request may go on, or was refused with a 429 (headers set; the caller writes Okta's error body). */
export type RateLimitVerdict = { ok: true } | { ok: false; retryAtMs: number };

const segment = '[^/]+';
const path = (pattern: string) => new RegExp(`^/api/v1${pattern}/?$`);
const usersCollection = path('/users');
const oneUser = path(`/users/${segment}`);
const underOneUser = path(`/users/${segment}/.+`);
const groupsCollection = path('/groups');
const oneGroup = path(`/groups/${segment}`);
const underGroups = path('/groups/.+');
const anyApi = /^\/api\/v1(\/|$)/;
const isWrite = (method: string) => method === 'POST' || method === 'PUT' || method === 'DELETE';

/**
 * Okta's documented buckets for the calls a JML engine makes, with the Workforce Identity figures of
 * the "Management rate limits" page (Enterprise figures in brackets):
 *  - "Create or list users: only GET or POST to /api/v1/users": 600 (600);
 *  - "Get a user by ID or login: only GET to /api/v1/users/{idOrLogin}": 2,000 (1,000);
 *  - "Update or delete a user by ID: only POST, PUT or DELETE to /api/v1/users/{id}": 600 (600).
 *    The writes on a user's own sub-resources (lifecycle/suspend, lifecycle/deactivate, DELETE
 *    …/sessions) are taken to count here too, as writes on that user;
 *  - "Get, update, or delete a group by ID: /api/v1/groups/{id} only": 1,000 (600);
 *  - "Create or list groups: /api/v1/groups except /api/v1/groups/{id}": 500 (600). Membership
 *    changes (PUT/DELETE /api/v1/groups/{id}/users/{userId}) are of that base and not a group by ID,
 *    so they count here, beside group searches;
 *  - "Most other API actions: /api/v1": 1,200 (600), e.g. GET /api/v1/users/{id}/groups.
 */
export const oktaDocumentedBuckets: readonly OktaRateLimitBucket[] = [
  { name: 'users', perMinute: 600, match: (m, p) => (m === 'GET' || m === 'POST') && usersCollection.test(p) },
  { name: 'users/{idOrLogin} read', perMinute: 2000, match: (m, p) => m === 'GET' && oneUser.test(p) },
  { name: 'users/{id} write', perMinute: 600, match: (m, p) => isWrite(m) && (oneUser.test(p) || underOneUser.test(p)) },
  { name: 'groups/{id}', perMinute: 1000, match: (_m, p) => oneGroup.test(p) },
  { name: 'groups', perMinute: 500, match: (_m, p) => groupsCollection.test(p) || underGroups.test(p) },
  { name: 'api/v1', perMinute: 1200, match: (_m, p) => anyApi.test(p) },
];

/** The "Additional rate limits" page: 75 concurrent requests for Enterprise and Workforce Identity orgs. */
export const oktaDocumentedConcurrency = 75;

export const oktaDocumentedRateLimits: OktaRateLimits = { buckets: oktaDocumentedBuckets, concurrency: oktaDocumentedConcurrency };

/** The least time the buckets allow for the requests they accepted: the slowest bucket's floor. */
export function rateLimitFloorMs(stats: OktaRateLimitStats): number {
  return Math.max(0, ...Object.values(stats.buckets).map((b) => b.floorMs));
}

interface BucketState {
  bucket: OktaRateLimitBucket;
  windowStart: number;
  used: number;
  /** Where the first counted request fell: its time, its window, and what that window had spent before it. */
  first?: { at: number; windowStart: number; usedBefore: number };
  stats: Omit<OktaBucketStats, 'floorMs'>;
}

export class OktaRateLimiter {
  private readonly states: BucketState[];
  private readonly windowMs: number;
  private readonly concurrency: number | undefined;
  private readonly injected: number[] = [];
  private inFlight = 0;
  private readonly concurrencyStats = { limited: 0, peak: 0 };
  private readonly now: () => number;

  /** `fallbackPerMinute` holds requests no bucket matches (the peer's `rateLimitPerMinute`). */
  constructor(limits: OktaRateLimits | undefined, fallbackPerMinute: number) {
    this.windowMs = limits?.windowMs ?? 60_000;
    this.concurrency = limits?.concurrency;
    this.now = limits?.now ?? Date.now;
    const buckets = [...(limits?.buckets ?? []), { name: 'default', perMinute: fallbackPerMinute, match: () => true }];
    const names = new Set(buckets.map((b) => b.name));
    if (names.size !== buckets.length) throw new Error('okta peer: rate-limit bucket names must be unique (and not "default")');
    this.states = buckets.map((bucket) => ({
      bucket,
      windowStart: 0,
      used: 0,
      stats: { name: bucket.name, limit: bucket.perMinute, windowMs: this.windowMs, requests: 0, accepted: 0, limited: 0, injected: 0 },
    }));
  }

  /** Counts the request in flight until its answer is sent; past the concurrency limit, refuses it. */
  admit(res: Response, nowMs = this.now()): RateLimitVerdict {
    if (this.concurrency !== undefined && this.inFlight >= this.concurrency) {
      this.concurrencyStats.limited += 1;
      // Only an estimate, as Okta's: transactions are short, so a slot is likely free within a second.
      const retryAt = Math.ceil((nowMs + 1000) / 1000);
      res.set({ 'X-Rate-Limit-Limit': '0', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(retryAt) });
      return { ok: false, retryAtMs: retryAt * 1000 };
    }
    this.inFlight += 1;
    this.concurrencyStats.peak = Math.max(this.concurrencyStats.peak, this.inFlight);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
    res.on('finish', release);
    res.on('close', release);
    return { ok: true };
  }

  /** Counts the request against its bucket and sets the bucket's headers; refuses it when the bucket is spent. */
  charge(method: string, path: string, res: Response, nowMs = this.now()): RateLimitVerdict {
    const state = this.states.find((s) => s.bucket.match(method, path))!;
    if (nowMs - state.windowStart >= this.windowMs) Object.assign(state, { windowStart: nowMs - (nowMs % this.windowMs), used: 0 });
    state.first ??= { at: nowMs, windowStart: state.windowStart, usedBefore: state.used };
    state.used += 1;
    state.stats.requests += 1;
    const limit = state.bucket.perMinute;
    const resetAt = Math.ceil((state.windowStart + this.windowMs) / 1000);
    res.set({ 'X-Rate-Limit-Limit': String(limit), 'X-Rate-Limit-Remaining': String(Math.max(0, limit - state.used)), 'X-Rate-Limit-Reset': String(resetAt) });
    const injected = this.injected.shift();
    if (injected !== undefined) {
      state.stats.injected += 1;
      const retryAt = Math.ceil((nowMs + injected * 1000) / 1000);
      res.set({ 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(retryAt) });
      return { ok: false, retryAtMs: retryAt * 1000 };
    }
    if (state.used > limit) {
      state.stats.limited += 1;
      return { ok: false, retryAtMs: resetAt * 1000 };
    }
    state.stats.accepted += 1;
    return { ok: true };
  }

  /** The next `n` requests are answered 429 with a reset `resetSeconds` away, whatever their bucket holds. */
  injectNext(n: number, resetSeconds: number): void {
    for (let i = 0; i < n; i++) this.injected.push(resetSeconds);
  }

  stats(): OktaRateLimitStats {
    return {
      buckets: Object.fromEntries(
        this.states.filter((s) => s.stats.requests > 0 || s.bucket.name !== 'default').map((s) => [s.bucket.name, { ...s.stats, floorMs: this.floorOf(s) }]),
      ),
      concurrency: { limit: this.concurrency, ...this.concurrencyStats },
    };
  }

  /** Forgets what was counted (not the windows' state): a benchmark measures one round at a time. */
  resetStats(): void {
    for (const s of this.states) {
      s.first = undefined;
      Object.assign(s.stats, { requests: 0, accepted: 0, limited: 0, injected: 0 });
    }
    Object.assign(this.concurrencyStats, { limited: 0, peak: this.inFlight });
  }

  private floorOf(s: BucketState): number {
    if (!s.first) return 0;
    const limit = s.bucket.perMinute;
    const beyondFirstWindow = s.stats.accepted - Math.max(0, limit - s.first.usedBefore);
    if (beyondFirstWindow <= 0) return 0;
    const turnovers = Math.ceil(beyondFirstWindow / limit);
    return s.first.windowStart + turnovers * this.windowMs - s.first.at;
  }
}
