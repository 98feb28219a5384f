/** Okta's wire objects, parsed at the edge, and their mapping onto the shared access model. */
import { z } from 'zod';
import type { Account, AccountStatus } from '../types';
import { serverNow } from '../http';

export const oktaUserSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  transitioningToStatus: z.string().nullish(),
  profile: z.object({ login: z.string(), email: z.string().nullish() }),
});
export type OktaUser = z.infer<typeof oktaUserSchema>;

export const oktaGroupSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  profile: z.object({ name: z.string() }),
});
export type OktaGroup = z.infer<typeof oktaGroupSchema>;
export const oktaGroupListSchema = z.array(oktaGroupSchema);
export const oktaUserListSchema = z.array(oktaUserSchema);

const oktaErrorSchema = z.object({
  errorCode: z.string().optional(),
  errorSummary: z.string().optional(),
  errorCauses: z.array(z.object({ errorSummary: z.string().optional() })).optional(),
});

/** Okta statuses in which the account can no longer be used to sign in. */
export const OKTA_DISABLED_STATUSES: ReadonlySet<string> = new Set(['SUSPENDED', 'DEPROVISIONED']);

/**
 * PROVISIONED, RECOVERY, PASSWORD_EXPIRED and LOCKED_OUT are all live accounts (the person
 * can regain access on their own), so for access decisions they count as active. An unknown
 * future status is treated as active too: a leaver flow must act rather than assume safety.
 */
export function accountStatusOf(oktaStatus: string): AccountStatus {
  switch (oktaStatus) {
    case 'STAGED':
      return 'staged';
    case 'SUSPENDED':
      return 'suspended';
    case 'DEPROVISIONED':
      return 'deprovisioned';
    default:
      return 'active';
  }
}

export function toAccount(user: OktaUser): Account {
  const account: Account = { id: user.id, login: user.profile.login, status: accountStatusOf(user.status) };
  if (user.profile.email) account.email = user.profile.email;
  return account;
}

export function groupEntitlement(group: OktaGroup): string {
  return `group:${group.profile.name}`;
}

/** Okta's "Not found: Resource not found" error code. */
export const E_NOT_FOUND = 'E0000007';

/**
 * A 404 Okta itself gave (its JSON error body with E0000007), as opposed to a proxy, a wrong base
 * URL or a gateway answering 404 with a page of its own.
 */
export function isOktaNotFound(status: number, body: unknown): boolean {
  return status === 404 && oktaErrorCode(body) === E_NOT_FOUND;
}

export function oktaErrorCode(body: unknown): string | undefined {
  const parsed = oktaErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.errorCode : undefined;
}

/** `errorSummary` plus the causes, which carry the useful part of validation errors. */
export function oktaErrorMessage(body: unknown): string | undefined {
  const parsed = oktaErrorSchema.safeParse(body);
  if (!parsed.success || !parsed.data.errorSummary) return typeof body === 'string' ? body.slice(0, 200) : undefined;
  const { errorCode, errorSummary, errorCauses = [] } = parsed.data;
  const causes = errorCauses.map((c) => c.errorSummary).filter((s): s is string => !!s);
  const suffix = causes.length > 0 ? ` (${causes.join('; ')})` : '';
  return `${errorSummary}${suffix}${errorCode ? ` [${errorCode}]` : ''}`;
}

export function oktaErrorCauses(body: unknown): string[] {
  const parsed = oktaErrorSchema.safeParse(body);
  if (!parsed.success) return [];
  return (parsed.data.errorCauses ?? []).map((c) => c.errorSummary).filter((s): s is string => !!s);
}

/**
 * Okta's `X-Rate-Limit-Reset` is the Unix second at which the window resets. Measured against
 * the server's Date header, so our clock's skew does not matter; Date's whole-second precision
 * can only lengthen the wait, never shorten it.
 */
export function oktaRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const reset = headers.get('x-rate-limit-reset');
  if (!reset || !/^\d+$/.test(reset.trim())) return undefined;
  return Math.max(0, Number(reset) * 1000 - serverNow(headers, nowMs));
}

/** Okta filter and search string literal: backslash and double quote escaped. */
export function oktaQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
