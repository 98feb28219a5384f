/** Slack's wire objects (Web API answers, SCIM resources), parsed at the edge, and their mapping onto the shared access model. */
import { z } from 'zod';
import type { Account, NewAccount } from '../types';
import { msUntilHttpDate, serverNow } from '../http';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Every Web API answer: `ok`, and on failure `error` (with `needed`/`provided` for missing_scope). */
export const webAnswerSchema = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  needed: z.string().optional(),
  provided: z.string().optional(),
  warning: z.string().optional(),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});
export type WebAnswer = z.infer<typeof webAnswerSchema>;

export const usergroupSchema = z.looseObject({
  id: z.string().min(1),
  handle: z.string(),
  date_delete: z.number().optional(),
  user_count: z.number().int().nonnegative().optional(),
  users: z.array(z.string()).optional(),
});
export type Usergroup = z.infer<typeof usergroupSchema>;
export const usergroupsListSchema = z.looseObject({ ok: z.literal(true), usergroups: z.array(usergroupSchema) });
export const usergroupUsersSchema = z.looseObject({ ok: z.literal(true), users: z.array(z.string()) });

export const sessionListSchema = z.looseObject({
  ok: z.literal(true),
  active_sessions: z.array(z.looseObject({ user_id: z.string(), session_id: z.union([z.number(), z.string()]) })),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});

export const authTestSchema = z.looseObject({ ok: z.literal(true), user_id: z.string(), team_id: z.string().optional() });

const email = z.object({ value: z.string(), primary: z.boolean().optional() });
export const scimUserSchema = z.looseObject({
  id: z.string().min(1),
  userName: z.string(),
  active: z.boolean(),
  emails: z.array(email).optional(),
});
export type SlackScimUser = z.infer<typeof scimUserSchema>;

/** A ListResponse that names its schema, so a gateway's JSON cannot pass for "no such user". */
export const scimListSchema = z.looseObject({
  schemas: z.array(z.string()).refine((s) => s.includes(SCIM_LIST_RESPONSE), 'not a SCIM ListResponse'),
  totalResults: z.number().int().nonnegative(),
  startIndex: z.number().int().positive().optional(),
  itemsPerPage: z.number().int().nonnegative().optional(),
  Resources: z.array(z.unknown()),
});

/** Slack's SCIM errors: `{"Errors": {"description", "code"}}`; RFC 7644's form is read too. */
const slackScimErrorSchema = z.object({ Errors: z.object({ description: z.string(), code: z.union([z.number(), z.string()]) }) });
const rfcScimErrorSchema = z.object({ schemas: z.array(z.string()), detail: z.string().optional(), status: z.union([z.string(), z.number()]) });

export function scimError(body: unknown): { code: number; description: string } | undefined {
  const slack = slackScimErrorSchema.safeParse(body);
  if (slack.success) return { code: Number(slack.data.Errors.code), description: slack.data.Errors.description };
  const rfc = rfcScimErrorSchema.safeParse(body);
  if (rfc.success && rfc.data.schemas.includes(SCIM_ERROR)) return { code: Number(rfc.data.status), description: rfc.data.detail ?? '' };
  return undefined;
}

/** A 404 Slack's SCIM API itself gave (its error body), not a proxy's page. */
export function isSlackScimNotFound(body: unknown): boolean {
  return scimError(body)?.code === 404;
}

export function scimErrorMessage(body: unknown): string | undefined {
  const error = scimError(body);
  if (error) return error.description;
  return typeof body === 'string' ? body.slice(0, 200) : undefined;
}

/** Slack's Retry-After is in seconds; an HTTP-date is read too. */
export function slackRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  return msUntilHttpDate(value, serverNow(headers, nowMs));
}

/**
 * The account as the engine sees it: the login is the work email (Slack turns a SCIM userName
 * into its own handle, so the email is what matches HR); inactive is disabled.
 */
export function toAccount(user: SlackScimUser): Account {
  const mail = user.emails?.find((e) => e.primary) ?? user.emails?.[0];
  const login = mail?.value ?? user.userName;
  return { id: user.id, login, ...(mail ? { email: mail.value } : {}), status: user.active ? 'active' : 'disabled' };
}

export function newUserBody(input: NewAccount): Record<string, unknown> {
  return {
    schemas: [SCIM_USER_SCHEMA],
    userName: input.login,
    name: { givenName: input.firstName, familyName: input.lastName },
    displayName: `${input.firstName} ${input.lastName}`,
    emails: [{ value: input.email, type: 'work', primary: true }],
    active: input.active,
  };
}

export function activeBody(active: boolean): Record<string, unknown> {
  return { schemas: [SCIM_PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: active }] };
}

/** A SCIM filter string literal. */
export function scimQuoted(value: string): string {
  return JSON.stringify(value);
}

/** The handle in "usergroup:<handle>", or undefined for any other kind. */
export function usergroupHandleOf(entitlement: string): string | undefined {
  const match = /^usergroup:(.+)$/.exec(entitlement);
  return match?.[1];
}
