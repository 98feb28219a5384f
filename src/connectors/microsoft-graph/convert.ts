/** Microsoft Graph's wire objects, parsed at the edge, and their mapping onto the shared access model. */
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { Account } from '../types';
import { msUntilHttpDate, type JsonResponse } from '../http';

export const graphUserSchema = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  mail: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
});
export type GraphUser = z.infer<typeof graphUserSchema>;

export const graphGroupSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  groupTypes: z.array(z.string()).nullish(),
});
export type GraphGroup = z.infer<typeof graphGroupSchema>;

/** One page of a collection: `value` and, while there is more, `@odata.nextLink`. */
export function collectionSchema<T extends z.ZodType>(item: T) {
  return z.object({ value: z.array(item), '@odata.nextLink': z.string().min(1).nullish() });
}
export const userPageSchema = collectionSchema(graphUserSchema);
export const groupPageSchema = collectionSchema(graphGroupSchema);
/** A user's memberships: groups, directory roles and administrative units, told apart by `@odata.type`. */
export const memberOfPageSchema = collectionSchema(z.looseObject({ '@odata.type': z.string(), id: z.string().min(1) }));

const graphErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

/** The properties every user read asks for (accountEnabled is returned only on $select). */
export const USER_SELECT = 'id,userPrincipalName,mail,accountEnabled';
export const GROUP_SELECT = 'id,displayName,groupTypes';
export const GROUP_ODATA_TYPE = '#microsoft.graph.group';

export function toAccount(user: GraphUser): Account {
  // Entra has no staged or suspended state: an account is enabled for sign-in or it is not.
  const account: Account = { id: user.id, login: user.userPrincipalName, status: user.accountEnabled === false ? 'disabled' : 'active' };
  if (user.mail) account.email = user.mail;
  return account;
}

/** A group whose members a rule decides: Graph refuses to add or remove them by hand. */
export function isDynamic(group: GraphGroup): boolean {
  return (group.groupTypes ?? []).includes('DynamicMembership');
}

export function graphErrorCode(body: unknown): string | undefined {
  const parsed = graphErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.error.code : undefined;
}

/** Directory objects that do not exist: Graph's own 404, as opposed to a gateway's. */
export function isGraphNotFound(body: unknown): boolean {
  return graphErrorCode(body) === 'Request_ResourceNotFound';
}

/**
 * Graph's error text and code, with quoted values taken out: Graph echoes filter clauses and
 * property values ("Invalid filter clause ... 'ada@acme.com'"), which may be personal data.
 */
export function graphErrorMessage(body: unknown): string | undefined {
  const parsed = graphErrorSchema.safeParse(body);
  if (!parsed.success) return typeof body === 'string' ? scrub(body.slice(0, 200)) : undefined;
  const { code, message } = parsed.data.error;
  return `${message ? scrub(message) : 'no message'} [${code}]`;
}

export function graphErrorText(body: unknown): string {
  const parsed = graphErrorSchema.safeParse(body);
  return parsed.success ? (parsed.data.error.message ?? '') : '';
}

function scrub(text: string): string {
  return text.replace(/'[^']*'/g, "'…'").replace(/[^\s'"]+@[^\s'"]+/g, '[address]');
}

/** Graph's Retry-After is in seconds; an HTTP-date is taken too. */
export function graphRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  return retryAfterValueMs(headers.get('retry-after'), nowMs);
}

export function retryAfterValueMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  return msUntilHttpDate(trimmed, nowMs);
}

/** A 503 that says when to come back is Graph shedding load: waited on like a 429. */
export function isGraphThrottled(response: JsonResponse): boolean {
  return response.status === 503 && response.headers.get('retry-after') !== null;
}

/** An OData string literal: single quotes doubled. */
export function odataQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** "One or more added object references already exist for the following modified properties: 'members'." */
export function isAlreadyMember(body: unknown): boolean {
  return /added object references already exist/i.test(graphErrorText(body));
}

/** "Another object with the same value for property userPrincipalName already exists." */
export function isDuplicateUpn(body: unknown): boolean {
  return /another object with the same value for property userPrincipalName already exists/i.test(graphErrorText(body));
}

export function memberRefPath(groupId: string, accountId: string): string {
  return `/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(accountId)}/$ref`;
}

/** A dynamic group's membership: Graph refuses to remove it, and the leaver records it as skipped. */
export function notRemovable(system: string, name: string, group: GraphGroup): ConnectorError {
  return new ConnectorError('not_removable', `${system}: group "${name}" (${group.id}) has dynamic membership; its rule, not a revocation, decides its members`, system);
}

