import { z } from 'zod';
import { duration } from '../config/schema-parts';

const slackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user ID (e.g. U0ITLEAD)');

/** Quarterly: 00:00 on Jan 1, Apr 1, Jul 1 and Oct 1 in reviews.timeZone. */
export const quarterlyCron = '0 0 1 1,4,7,10 *';

/** A five-field cron expression (minute hour day-of-month month day-of-week), as Temporal Schedules take it. */
const cron = z.string().regex(/^\s*\S+(\s+\S+){4}\s*$/, 'must be "quarterly", "off" or a five-field cron expression (e.g. "0 0 1 1,4,7,10 *")');

/**
 * What a campaign covers: every connected system, entitlement and department unless narrowed.
 * Entitlement patterns are globs over "kind:name" (`group:*admin*`), matched case-insensitively.
 */
export const reviewScopeSchema = z.strictObject({
  systems: z.array(z.string().min(1)).optional(),
  entitlements: z.array(z.string().min(1)).optional(),
  departments: z.array(z.string().min(1)).optional(),
});
export type ReviewScope = z.infer<typeof reviewScopeSchema>;

export const reviewsSchema = z.strictObject({
  schedule: z.union([z.literal('quarterly'), z.literal('off'), cron]).default('quarterly'),
  timeZone: z
    .string()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone (e.g. Europe/London)'),
  dueAfter: duration.default(14 * 86_400_000).refine((ms) => ms > 0, 'must be longer than 0'),
  remindEvery: duration.default(3 * 86_400_000).refine((ms) => ms > 0, 'must be longer than 0'),
  escalateAfter: duration.default(7 * 86_400_000).refine((ms) => ms > 0, 'must be longer than 0'),
  /** Who reviews a worker whose manager is not found, and who is asked on escalation. */
  fallbackReviewers: z.array(slackUserId).default([]),
  /** How long reading every worker's access from every system may take before the campaign says it ran late. */
  snapshotBudget: duration.default(2 * 3_600_000).refine((ms) => ms > 0, 'must be longer than 0'),
  /** The scheduled campaigns' scope; `jml review start --scope` narrows a campaign of its own. */
  scope: reviewScopeSchema.default({}),
});
export type ReviewsConfig = z.infer<typeof reviewsSchema>;

/** The cron expression a schedule setting stands for; undefined for "off". */
export function reviewCron(schedule: ReviewsConfig['schedule']): string | undefined {
  if (schedule === 'off') return undefined;
  return schedule === 'quarterly' ? quarterlyCron : schedule.trim();
}

/** Whether an entitlement falls in a campaign's scope of entitlement patterns. */
export function entitlementInScope(entitlement: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => globToRegExp(p).test(entitlement));
}

function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}
