/** SCIM 2.0 (RFC 7643/7644) wire objects, parsed at the edge, and their mapping onto the shared access model. */
import { z } from 'zod';
import type { Account, NewAccount } from '../types';
import { msUntilHttpDate, serverNow } from '../http';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
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

const count = z.coerce.number().int().nonnegative();
const listEnvelope = z.object({
  schemas: z.array(z.string()),
  totalResults: count.optional(),
  startIndex: count.optional(),
  itemsPerPage: count.optional(),
  nextCursor: z.string().optional(),
});

/** One page of a SCIM list query, as every profile's paging reads it. */
export interface ScimListPage {
  resources: unknown[];
  totalResults?: number;
  startIndex?: number;
  nextCursor?: string;
}

/**
 * A ListResponse (RFC 7644 3.4.2), or undefined when the body is not one. It must name the
 * ListResponse schema, so a gateway's JSON cannot pass for "no results". Attribute names are
 * case-insensitive (RFC 7643 2.1): Entra ID sends `resources`. An omitted list is RFC 7644's
 * way of saying "no results" and only counts as empty when totalResults says 0 or paging says done.
 */
export function readListPage(body: unknown): ScimListPage | undefined {
  const parsed = listEnvelope.safeParse(body);
  if (!parsed.success || !parsed.data.schemas.includes(SCIM_LIST_RESPONSE)) return undefined;
  const key = Object.keys(body as object).find((k) => k.toLowerCase() === 'resources');
  const resources = key === undefined ? [] : (body as Record<string, unknown>)[key];
  if (!Array.isArray(resources)) return undefined;
  const { totalResults, startIndex, nextCursor } = parsed.data;
  return { resources, totalResults, startIndex, ...(nextCursor ? { nextCursor } : {}) };
}

const scimErrorSchema = z.object({
  schemas: z.array(z.string()).optional(),
  status: z.union([z.string(), z.number()]).optional(),
  scimType: z.string().optional(),
  detail: z.string().optional(),
});

/** A 404 in RFC 7644's error form (status "404" or the Error schema), as opposed to a proxy's page. */
export function isScimNotFound(body: unknown): boolean {
  const parsed = scimErrorSchema.safeParse(body);
  if (!parsed.success || typeof body !== 'object' || body === null) return false;
  return String(parsed.data.status) === '404' || (parsed.data.schemas ?? []).includes(SCIM_ERROR);
}

/** Some providers (apps built for Entra provisioning) send "False"/"True" strings; RFC 7643 says boolean. */
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
