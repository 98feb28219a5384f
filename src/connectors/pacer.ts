/**
 * Paces one system's requests under its limits instead of hitting them and backing off:
 *  - at most `maxConcurrency` requests in flight;
 *  - at most `requestsPerSecond` started per second (a budget this process holds), a request
 *    spending what `costOf` says it costs (default 1; GitHub counts a write as five);
 *  - per rate-limit bucket, as the system itself reports it in every answer
 *    (X-Rate-Limit-Limit / -Remaining / -Reset, epoch seconds, as Okta and others send them):
 *    a request starts only while the bucket has room for it beside those already in flight, and
 *    otherwise waits for the bucket's reset. A small reserve is kept for other clients of the
 *    same bucket (other workers, other tools).
 * A bucket's first request goes alone: its answer says how big the bucket is, and the others wait
 * for it. When a window turns over the bucket holds its last known limit until an answer from the
 * new window says what is left, so the requests that waited for the reset do not all go at once.
 * A bucket the system does not describe (answers without these headers) is not held back. An
 * answer about the concurrency limit (Okta's X-Rate-Limit-Limit: 0) says nothing of the bucket.
 * All waits are capped.
 */

export interface PacerOptions {
  maxConcurrency?: number;
  requestsPerSecond?: number;
  /**
   * How far ahead of requestsPerSecond a quiet system may run (a burst of about
   * requestsPerSecond x burstSeconds, then spaced again): for vendors whose limit is a budget per
   * minute rather than a rate (GitHub's points per minute). Default 0: strictly spaced.
   */
  burstSeconds?: number;
  /**
   * What one request spends of requestsPerSecond (default 1), for vendors whose budget is in points
   * by kind of request: GitHub's secondary limit counts a GET as 1 and a write as 5.
   */
  costOf?: (method: string, pathname: string) => number;
  /** Requests left untouched in each bucket, for other clients; default 1, or 2% of the limit if more. */
  reserve?: number;
  /** Longest wait for a bucket's reset (default 5 min). */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Bucket {
  limit?: number;
  remaining?: number;
  /** Undefined in a window whose reset no answer has told yet. */
  resetAtMs?: number;
  inFlight: number;
  /** Whether any answer came back yet (with or without rate-limit headers). */
  answered: boolean;
  /** Session-ending requests waiting for this bucket: the others leave them its last room. */
  sessionsWaiting: number;
}

/** A permit to send one request; `done` must be called once its answer (or failure) is in. */
export interface Permit {
  done(headers?: Headers): void;
}

const defaultMaxWaitMs = 300_000;
/** How often a request waiting on an answer (a bucket's first, or a new window's) looks again. */
const answerPollMs = 25;

export class Pacer {
  private readonly buckets = new Map<string, Bucket>();
  /** Worker processes sharing the system's concurrency and budget (this one included). */
  private share = 1;
  private inFlight = 0;
  /** Requests waiting for a free slot: those that end sessions first, then the rest, each in order. */
  private readonly waiting = { sessions: [] as (() => void)[], rest: [] as (() => void)[] };
  private nextStartMs = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Requests that waited for room, and how long in all (for metrics and benchmarks). */
  readonly stats = { paced: 0, pacedMs: 0 };

  constructor(private readonly options: PacerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The system's configured concurrency (all workers together), if any. */
  get maxConcurrency(): number | undefined {
    return this.options.maxConcurrency;
  }

  /**
   * Waits until a request to this bucket may start. `endsSessions` requests take the next free
   * slot ahead of any other waiting request (a leaver's session kill before others' clean-up).
   */
  async acquire(bucketKey: string, options: { endsSessions?: boolean; method?: string; pathname?: string } = {}): Promise<Permit> {
    const started = this.now();
    const urgent = options.endsSessions === true;
    const bucket = this.bucket(bucketKey);
    // Room in the bucket first, then a slot: a request waiting for its bucket's reset never
    // holds a slot that a request to another bucket could use. The bucket is checked again
    // once the slot is ours, since others may have used the room meanwhile.
    if (urgent) bucket.sessionsWaiting += 1;
    try {
      for (;;) {
        for (;;) {
          const waitMs = this.bucketWait(bucket, urgent) || this.budgetWait();
          if (waitMs <= 0) break;
          await this.sleep(Math.min(waitMs, this.options.maxWaitMs ?? defaultMaxWaitMs));
        }
        await this.slot(urgent);
        if (this.bucketWait(bucket, urgent) <= 0 && this.budgetWait() <= 0) break;
        this.release();
      }
    } finally {
      if (urgent) bucket.sessionsWaiting -= 1;
    }
    bucket.inFlight += 1;
    if (this.options.requestsPerSecond) {
      const cost = options.method !== undefined && this.options.costOf ? this.options.costOf(options.method, options.pathname ?? '') : 1;
      this.nextStartMs = Math.max(this.nextStartMs, this.now()) + (cost * 1000 * this.share) / this.options.requestsPerSecond;
    }
    const waited = this.now() - started;
    if (waited > 0) {
      this.stats.paced += 1;
      this.stats.pacedMs += waited;
    }
    let released = false;
    return {
      done: (headers) => {
        if (released) return;
        released = true;
        bucket.inFlight -= 1;
        if (headers) {
          bucket.answered = true;
          this.observe(bucket, headers);
        }
        this.release();
      },
    };
  }

  /** What a bucket looks like now, from the system's last word on it (for tests and metrics). */
  state(bucketKey: string): Readonly<Bucket> | undefined {
    return this.buckets.get(bucketKey);
  }

  /**
   * The configured concurrency and budget are held across all worker processes: with `processes`
   * of them running, this one keeps its part.
   */
  setShare(processes: number): void {
    this.share = Math.max(1, Math.floor(processes));
    // More room now (fewer processes): hand it to those waiting, session-ending ones first.
    while (this.inFlight < this.maxInFlight() && this.hasWaiting()) {
      this.inFlight += 1;
      this.takeWaiting()?.();
    }
  }

  /**
   * A slot for one request. A freed slot is handed straight to the next waiter (session-ending
   * ones first), so a request arriving meanwhile cannot take it from one that waited.
   */
  private async slot(endsSessions: boolean): Promise<void> {
    if (this.inFlight < this.maxInFlight() && !this.hasWaiting()) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => (endsSessions ? this.waiting.sessions : this.waiting.rest).push(resolve));
  }

  private release(): void {
    // Over the limit after the share shrank: give the slot up rather than hand it on.
    if (this.inFlight > this.maxInFlight() || !this.hasWaiting()) {
      this.inFlight -= 1;
      return;
    }
    this.takeWaiting()?.();
  }

  private hasWaiting(): boolean {
    return this.waiting.sessions.length + this.waiting.rest.length > 0;
  }

  private takeWaiting(): (() => void) | undefined {
    return this.waiting.sessions.shift() ?? this.waiting.rest.shift();
  }

  private maxInFlight(): number {
    const configured = this.options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    return Number.isFinite(configured) ? Math.max(1, Math.floor(configured / this.share)) : configured;
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { inFlight: 0, answered: false, sessionsWaiting: 0 }));
    return b;
  }

  /** ms until the bucket has room beside the requests in flight; 0 when it has (or the system does not describe it). */
  private bucketWait(b: Bucket, endsSessions = false): number {
    const now = this.now();
    if (b.resetAtMs !== undefined && now >= b.resetAtMs) {
      // A new window: as much as the limit is left, until an answer from it says how much.
      b.remaining = b.limit;
      b.resetAtMs = undefined;
    }
    // The bucket's first answer describes it; until then one request at a time.
    if (!b.answered) return b.inFlight > 0 ? answerPollMs : 0;
    if (b.remaining === undefined) return 0;
    const reserve = this.options.reserve ?? Math.max(1, Math.floor((b.limit ?? 0) * 0.02));
    const room = b.remaining - b.inFlight - reserve;
    // What is left goes to session-ending requests first: the others leave it to those waiting.
    if (room > (endsSessions ? 0 : b.sessionsWaiting)) return 0;
    if (b.inFlight === 0 && b.resetAtMs === undefined && (endsSessions || b.sessionsWaiting === 0)) return 0;
    // Room only for session-ending requests, or a window whose reset is not known yet: look again
    // soon. Otherwise wait for the reset, plus a little for the two clocks to disagree.
    if (room > 0 || b.resetAtMs === undefined) return answerPollMs;
    return b.resetAtMs - now + 250;
  }

  private budgetWait(): number {
    // The generic cell rate algorithm: a start is due when its theoretical time, less the burst
    // tolerance, has come.
    const tolerance = (this.options.burstSeconds ?? 0) * 1000;
    return this.options.requestsPerSecond ? Math.max(0, this.nextStartMs - tolerance - this.now()) : 0;
  }

  private observe(b: Bucket, headers: Headers): void {
    const limit = numberOf(headers.get('x-rate-limit-limit'));
    const remaining = numberOf(headers.get('x-rate-limit-remaining'));
    const reset = numberOf(headers.get('x-rate-limit-reset'));
    if (remaining === undefined || reset === undefined) return;
    // Okta's answer to a request past the concurrency limit: Limit and Remaining 0, Reset an estimate.
    if (limit === 0) return;
    const resetAtMs = reset * 1000;
    // Answers can arrive out of order: keep the newest window, and in it the lowest count.
    if (b.resetAtMs !== undefined && resetAtMs < b.resetAtMs) return;
    if (b.resetAtMs === resetAtMs && b.remaining !== undefined && remaining > b.remaining) return;
    b.resetAtMs = resetAtMs;
    b.remaining = remaining;
    if (limit !== undefined) b.limit = limit;
  }
}

function numberOf(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The bucket a request falls in when the connector does not name one: the method and the path
 * with its identifiers taken out (a segment with an @ or an escape, one longer than 24
 * characters, or one with a digit that is not a short version like v1).
 */
export function bucketOf(method: string, pathname: string): string {
  const template = pathname
    .split('/')
    .map((segment) => (/[@%]/.test(segment) || segment.length > 24 || (/\d/.test(segment) && !/^v\d{1,2}(\.\d+)?$/i.test(segment)) ? '{id}' : segment))
    .join('/');
  return `${method} ${template}`;
}
