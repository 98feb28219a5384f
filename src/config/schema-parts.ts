/** zod pieces shared by the config file and by each connector's own config schema. */
import { z } from 'zod';
import { parseDuration } from './duration';

/** A duration as 500ms, 60s, 15m, 72h, 3d, or a number of seconds; parsed to milliseconds. */
export const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
    if (ms === undefined || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `not a duration (use e.g. 500ms, 60s, 15m, 72h, 3d): ${value}` });
      return z.NEVER;
    }
    return ms;
  });

export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name');

/** The name an extra HR field goes by in the engine (identity.hrFields), e.g. githubLogin. */
export const hrFieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a name of letters, digits and _ (e.g. githubLogin)');

/**
 * Keys every system has beside its type: its id, the longest rate-limit wait it may ask of us
 * (longer asks are capped and logged), and the requests in flight at once and started per second
 * (held across all workers; rate-limit buckets are paced from the system's own headers too).
 */
export const systemCommon = {
  id: z.string().min(1),
  maxRetryAfter: duration.default(300_000),
  maxConcurrency: z.number().int().min(1).max(1000).optional(),
  requestsPerSecond: z.number().positive().max(10_000).optional(),
};
