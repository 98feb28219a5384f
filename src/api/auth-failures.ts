import type { RequestHandler } from 'express';

export interface AuthFailureLimit {
  /** 401 answers to one address within `windowMs` before it is refused (default 20). */
  maxFailures?: number;
  /** The window failures are counted in, and how long an address is then refused (default 1 min). */
  windowMs?: number;
  now?: () => number;
}

/** Addresses tracked at most; past it, those with nothing recent are forgotten first. */
const maxTracked = 10_000;

interface Tracked {
  failures: number[];
  blockedUntil: number;
}

/**
 * Repeated 401s from one address (by `req.ip`, so under the `trust proxy` setting) are answered
 * 429 with Retry-After for a window: guessing a token or a signing secret costs a window per
 * `maxFailures` guesses. Kept in this process's memory: each `jml server` counts on its own, and
 * a restart forgets. Other addresses, and an address without failures, are unaffected.
 */
export function limitAuthFailures(options: AuthFailureLimit = {}): RequestHandler {
  const maxFailures = options.maxFailures ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const byAddress = new Map<string, Tracked>();

  const forgetStale = (at: number) => {
    for (const [address, t] of byAddress) {
      if (t.blockedUntil <= at && (t.failures.at(-1) ?? 0) <= at - windowMs) byAddress.delete(address);
    }
  };

  return (req, res, next) => {
    const address = req.ip ?? 'unknown';
    const at = now();
    const tracked = byAddress.get(address);
    if (tracked && tracked.blockedUntil > at) {
      res
        .status(429)
        .set('Retry-After', String(Math.ceil((tracked.blockedUntil - at) / 1000)))
        .json({ error: 'too_many_failures', message: 'too many requests with a bad token or signature from this address; try again later' });
      return;
    }
    res.on('finish', () => {
      if (res.statusCode !== 401) return;
      const when = now();
      const t = byAddress.get(address) ?? { failures: [], blockedUntil: 0 };
      t.failures = t.failures.filter((f) => f > when - windowMs);
      t.failures.push(when);
      if (t.failures.length >= maxFailures) {
        t.blockedUntil = when + windowMs;
        t.failures = [];
      }
      if (!byAddress.has(address) && byAddress.size >= maxTracked) forgetStale(when);
      byAddress.set(address, t);
    });
    next();
  };
}
