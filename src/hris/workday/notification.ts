import { z } from 'zod';
import { formatPath } from '../bamboohr/payload';

/**
 * The JSON a Workday business-process Integration step posts to POST /webhooks/workday:
 *   {workerId, businessProcessType, effectiveMoment, transactionLogWid}
 * It only says which worker a process touched; the worker itself is read back from Workday
 * before anything is done. Unknown extra keys are tolerated and dropped.
 */

/**
 * A Workday ID (WID): the 32 hexadecimal characters Workday generates for every object, e.g.
 * b0685b69d8ac412582c0a44d7973f707. Workday writes them in lower case; they are compared so.
 */
export const workdayWidPattern = /^[0-9a-f]{32}$/i;

// Worker IDs end up in workflow IDs, so they are held to a small safe alphabet.
const workerIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * An ISO-8601 date-time with a zone (Z or an offset), or a date, optionally zoned as Workday
 * writes xsd:date values (2026-03-16-08:00). A zoneless date-time is ambiguous and refused.
 */
const momentPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)|Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/i;

function isEffectiveMoment(value: string): boolean {
  const match = momentPattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const text = z.string().trim().min(1).max(200);

export const workdayNotificationSchema = z.object({
  workerId: z.string().trim().min(1).pipe(z.string().regex(workerIdPattern, 'must be 1-64 letters, digits, ".", "-" or "_"')),
  businessProcessType: text,
  effectiveMoment: z
    .string()
    .trim()
    .min(1)
    .refine(isEffectiveMoment, 'must be an ISO-8601 date-time with a zone (e.g. 2026-03-16T09:00:00-08:00) or a date (2026-03-16)'),
  transactionLogWid: z
    .string()
    .trim()
    .min(1)
    .pipe(z.string().regex(workdayWidPattern, 'must be a Workday ID: 32 hexadecimal characters'))
    .transform((wid) => wid.toLowerCase()),
});
export type WorkdayNotification = z.infer<typeof workdayNotificationSchema>;

export type NotificationParseResult = { ok: true; notification: WorkdayNotification } | { ok: false; path: string; message: string };

/** Parses a JSON value into a notification; a failure names the field and why. */
export function parseWorkdayNotification(raw: unknown): NotificationParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, path: '(root)', message: `must be a JSON object, got ${describeType(raw)}` };
  }
  const result = workdayNotificationSchema.safeParse(raw);
  if (result.success) return { ok: true, notification: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, path: formatPath(issue.path), message: explainIssue(raw, issue) };
}

/** The inbox event ID of a notification: one per Workday transaction. */
export function workdayEventId(transactionLogWid: string): string {
  return `workday:${transactionLogWid.toLowerCase()}`;
}

/** The calendar date (YYYY-MM-DD) of an effective moment, as Workday states it in its own zone. */
export function effectiveDateOf(effectiveMoment: string): string {
  return effectiveMoment.trim().slice(0, 10);
}

function explainIssue(raw: object, issue: z.core.$ZodIssue): string {
  const value = issue.path.length === 1 ? (raw as Record<PropertyKey, unknown>)[issue.path[0]!] : undefined;
  if (value === undefined) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be a string, got ${describeType(value)}`;
    case 'too_small':
      return 'must not be blank';
    case 'too_big':
      return `must be at most ${String(issue.maximum)} characters`;
    default:
      return issue.message;
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}
