/** Google's Directory API wire objects, parsed at the edge, and their mapping onto the shared access model. */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Account, AccountStatus } from '../types';
import type { JsonResponse } from '../http';

export const googleUserSchema = z.object({
  kind: z.literal('admin#directory#user'),
  id: z.string().min(1),
  primaryEmail: z.string().min(1),
  aliases: z.array(z.string()).optional(),
  suspended: z.boolean().optional(),
  archived: z.boolean().optional(),
});
export type GoogleUser = z.infer<typeof googleUserSchema>;

/** A page of users.list; Google leaves `users` out of an empty page, so `kind` is what proves the answer is Google's. */
export const googleUserPageSchema = z.object({
  kind: z.literal('admin#directory#users'),
  users: z.array(googleUserSchema).optional(),
  nextPageToken: z.string().min(1).optional(),
});

export const googleGroupSchema = z.object({
  kind: z.literal('admin#directory#group'),
  id: z.string().min(1),
  email: z.string().min(1),
});
export type GoogleGroup = z.infer<typeof googleGroupSchema>;

export const googleGroupPageSchema = z.object({
  kind: z.literal('admin#directory#groups'),
  groups: z.array(googleGroupSchema).optional(),
  nextPageToken: z.string().min(1).optional(),
});

export const googleMemberSchema = z.object({ kind: z.literal('admin#directory#member'), id: z.string().optional() });

export const googleTokenListSchema = z.object({
  kind: z.literal('admin#directory#tokenList'),
  items: z.array(z.object({ clientId: z.string().min(1) })).optional(),
});

export const googleAspListSchema = z.object({
  kind: z.literal('admin#directory#aspList'),
  items: z.array(z.object({ codeId: z.number().int() })).optional(),
});

const googleErrorSchema = z.object({
  error: z.object({
    code: z.number(),
    message: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

/** Archived users cannot sign in and hold an Archived User licence: for access decisions, disabled. */
export function accountStatusOf(user: GoogleUser): AccountStatus {
  if (user.suspended === true) return 'suspended';
  if (user.archived === true) return 'disabled';
  return 'active';
}

export function toAccount(user: GoogleUser): Account {
  return { id: user.id, login: user.primaryEmail, email: user.primaryEmail, status: accountStatusOf(user) };
}

/** The reasons in Google's error body (`notFound`, `duplicate`, `rateLimitExceeded`, ...). */
export function googleErrorReasons(body: unknown): string[] {
  const parsed = googleErrorSchema.safeParse(body);
  if (!parsed.success) return [];
  return (parsed.data.error.errors ?? []).map((e) => e.reason).filter((r): r is string => !!r);
}

/**
 * A 404 Google itself gave: its JSON error body with code 404 and reason notFound ("Resource Not
 * Found: userKey"), as opposed to a proxy, a wrong base URL or a gateway's page.
 */
export function isGoogleNotFound(body: unknown): boolean {
  const parsed = googleErrorSchema.safeParse(body);
  return parsed.success && parsed.data.error.code === 404 && googleErrorReasons(body).includes('notFound');
}

/** Google's message and reasons, e.g. "Member already exists. [duplicate]". */
export function googleErrorMessage(body: unknown): string | undefined {
  const parsed = googleErrorSchema.safeParse(body);
  if (!parsed.success) return typeof body === 'string' ? body.slice(0, 200) : undefined;
  const reasons = googleErrorReasons(body);
  const message = parsed.data.error.message ?? parsed.data.error.errors?.[0]?.message ?? `error ${parsed.data.error.code}`;
  return reasons.length > 0 ? `${message} [${reasons.join(', ')}]` : message;
}

/** Google's ways of saying "slow down" besides 429: a 403 with one of these reasons (Directory API limits page). */
const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

export function isGoogleRateLimited(response: JsonResponse): boolean {
  return response.status === 403 && googleErrorReasons(response.body).some((r) => RATE_LIMIT_REASONS.has(r));
}

/** Longest backoff between two tries (Google's guidance: a maximum_backoff of 32 or 64 s). */
export const MAX_BACKOFF_MS = 32_000;

/**
 * A Retry-After (seconds or an HTTP-date) when Google sends one; otherwise Google's documented
 * truncated exponential backoff: 2^n seconds plus up to a second of random jitter, capped.
 */
export function googleRetryAfterMs(headers: Headers, nowMs: number, attempt: number, random: (maxMs: number) => number = randomInt): number {
  const value = headers.get('retry-after')?.trim();
  if (value) {
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 10) + random(1000));
}

/**
 * Group entitlements are named by the group's email; one in the configured `domain` by its local
 * part alone ("group:engineering" for engineering@acme.com), so the listing gives back the form a
 * policy grants. Groups of other domains keep their full address.
 */
export function groupKeyOf(name: string, domain: string | undefined): string | undefined {
  if (name.includes('@')) return name.toLowerCase();
  return domain ? `${name}@${domain}`.toLowerCase() : undefined;
}

export function groupNameOfEmail(email: string, domain: string | undefined): string {
  const lower = email.toLowerCase();
  const suffix = domain ? `@${domain.toLowerCase()}` : undefined;
  return suffix && lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower;
}
