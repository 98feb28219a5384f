/** SCIM 2.0 (RFC 7643/7644) wire objects, parsed at the edge, and their mapping onto the shared access model. */
import { z } from 'zod';
import type { Account, NewAccount } from '../types';
import { msUntilHttpDate, serverNow } from '../http';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_MEDIA_TYPE = 'application/scim+json';

const email = z.object({ value: z.string(), primary: z.boolean().optional() });

export const scimUserSchema = z.object({
  id: z.string().min(1),
  userName: z.string(),
  // RFC 7643 makes `active` optional; a server that omits it is not claiming the account is off.
  active: z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]).optional(),
  emails: z.array(email).optional(),
  groups: z
    .array(z.object({ value: z.string(), display: z.string().optional(), type: z.string().optional() }))
    .optional(),
});
export type ScimUser = z.infer<typeof scimUserSchema>;

export const scimGroupSchema = z.object({ id: z.string().min(1), displayName: z.string() });
export type ScimGroup = z.infer<typeof scimGroupSchema>;

export const scimListSchema = z.object({
  totalResults: z.coerce.number().int().nonnegative(),
  Resources: z.array(z.unknown()).optional(),
});

const scimErrorSchema = z.object({
  status: z.union([z.string(), z.number()]).optional(),
  scimType: z.string().optional(),
  detail: z.string().optional(),
});

/** Some providers (Entra-style) send "False"/"True" strings; RFC 7643 says boolean. */
export function isActive(user: ScimUser): boolean {
  return user.active === undefined ? true : String(user.active).toLowerCase() === 'true';
}

export function toAccount(user: ScimUser): Account {
  const account: Account = { id: user.id, login: user.userName, status: isActive(user) ? 'active' : 'disabled' };
  const mail = user.emails?.find((e) => e.primary) ?? user.emails?.[0];
  if (mail) account.email = mail.value;
  return account;
}

export function newUserBody(input: NewAccount): Record<string, unknown> {
  return {
    schemas: [SCIM_USER_SCHEMA],
    userName: input.login,
    name: { givenName: input.firstName, familyName: input.lastName, formatted: `${input.firstName} ${input.lastName}` },
    displayName: `${input.firstName} ${input.lastName}`,
    emails: [{ value: input.email, type: 'work', primary: true }],
    active: input.active,
  };
}

export function patchOp(operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [SCIM_PATCH_OP], Operations: operations };
}

/** A SCIM filter string literal (RFC 7644 3.4.2.2 uses JSON string rules). */
export function scimQuoted(value: string): string {
  return JSON.stringify(value);
}

export function scimErrorType(body: unknown): string | undefined {
  const parsed = scimErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.scimType : undefined;
}

/** RFC 7644 3.12 error: `detail`, qualified by `scimType` when present. */
export function scimErrorMessage(body: unknown): string | undefined {
  const parsed = scimErrorSchema.safeParse(body);
  if (!parsed.success || (!parsed.data.detail && !parsed.data.scimType)) {
    return typeof body === 'string' ? body.slice(0, 200) : undefined;
  }
  const { detail, scimType } = parsed.data;
  if (!detail) return `scimType ${scimType}`;
  return scimType ? `${detail} [${scimType}]` : detail;
}

/** `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
export function scimRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  return msUntilHttpDate(value, serverNow(headers, nowMs));
}
