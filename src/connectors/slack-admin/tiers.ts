/**
 * Slack's rate limits, as its docs draw them, and a per-bucket pacer that keeps us under them.
 *  - Web API methods are limited per method, per workspace/org, per app, in tiers: Tier 2 is
 *    "20+ per minute", Tier 3 "50+", Tier 4 "100+"; short bursts above are tolerated.
 *  - The SCIM API is limited org-wide, across every SCIM app (the identity provider that
 *    provisions Slack included): writes (POST, PUT, PATCH, DELETE) 600/min with bursts of 180,
 *    reads 1,000/min; and per endpoint: GET /Users/<id> 300/min, POST /Users and PUT, PATCH or
 *    DELETE /Users/<id> 180/min with bursts of 20.
 * Since SCIM's budget is shared with the identity provider, we take only a share of it
 * (`scimShare`, default a quarter).
 * Every bucket here is a token bucket held in this process; a 429 with Retry-After from Slack
 * (another worker, another app spending the same limit) is still waited on by the HTTP client.
 */

export interface Rate {
  perMinute: number;
  /** Requests that may go at once before the per-minute pace applies. */
  burst: number;
}

export type Tier = 'tier2' | 'tier3' | 'tier4';

export const slackTiers: Record<Tier, Rate> = {
  tier2: { perMinute: 20, burst: 20 },
  tier3: { perMinute: 50, burst: 50 },
  tier4: { perMinute: 100, burst: 100 },
};

/** The tier of each Web API method the connector calls (each method is its own bucket). */
export const methodTiers: Record<string, Tier> = {
  'auth.test': 'tier4',
  'admin.users.session.reset': 'tier2',
  'admin.users.session.resetBulk': 'tier2',
  'admin.users.session.list': 'tier2',
  'usergroups.list': 'tier2',
  'usergroups.users.list': 'tier2',
  'usergroups.users.update': 'tier2',
};

/** Slack's documented SCIM limits (org-wide, shared by every SCIM app). */
export const scimLimits = {
  reads: { perMinute: 1000, burst: 1000 },
  writes: { perMinute: 600, burst: 180 },
  userWrites: { perMinute: 180, burst: 20 },
} as const;

/** Our part of the SCIM limits: `share` of each, never less than one request a minute. */
export function scimRates(share: number): { reads: Rate; userWrites: Rate } {
  const part = (r: Rate): Rate => ({ perMinute: Math.max(1, Math.floor(r.perMinute * share)), burst: Math.max(1, Math.floor(r.burst * share)) });
  // PATCH/DELETE/POST on /Users count against both the org-wide writes and the per-endpoint
  // limit; the per-endpoint one is the smaller, so it is the one we pace on.
  return { reads: part(scimLimits.reads), userWrites: part(scimLimits.userWrites) };
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** The tail of the queue of waiters, so they are served in order. */
  queue: Promise<void>;
}

export interface RateBucketsOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Token buckets by key; `take` resolves when a request to that bucket may start. */
export class RateBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateBucketsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  take(key: string, rate: Rate): Promise<void> {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: rate.burst, updatedMs: this.now(), queue: Promise.resolve() }));
    const b = bucket;
    const turn = b.queue.then(async () => {
      for (;;) {
        this.refill(b, rate);
        if (b.tokens >= 1) {
          b.tokens -= 1;
          return;
        }
        await this.sleep(Math.ceil(((1 - b.tokens) * 60_000) / rate.perMinute));
      }
    });
    b.queue = turn;
    return turn;
  }

  private refill(b: Bucket, rate: Rate): void {
    const now = this.now();
    b.tokens = Math.min(rate.burst, b.tokens + ((now - b.updatedMs) * rate.perMinute) / 60_000);
    b.updatedMs = now;
  }
}
