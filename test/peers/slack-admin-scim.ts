/**
 * Slack's SCIM 2.0 Users endpoints over the peer's org, as Slack documents them: GET /Users
 * (startIndex/count paging, `email eq` and `userName eq` filters), GET/PATCH/DELETE /Users/<id>
 * (DELETE deactivates), POST /Users (409 for a taken email or username), and Slack's SCIM error
 * body `{"Errors": {"description", "code"}}`.
 */
import type { GridOrg, OrgUser } from './slack-admin-org';

export interface ScimAnswer {
  status: number;
  body?: unknown;
}

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MAX_COUNT = 1000;

export function scimFailure(status: number, description: string): ScimAnswer {
  return { status, body: { Errors: { description, code: status } } };
}

function userOut(org: GridOrg, u: OrgUser): Record<string, unknown> {
  const groups = [...org.groups.values()].filter((g) => g.users.includes(u.id)).map((g) => ({ value: g.id, display: g.name }));
  return {
    schemas: [USER_SCHEMA],
    id: u.id,
    externalId: '',
    userName: u.userName,
    nickName: u.userName,
    name: { givenName: u.givenName, familyName: u.familyName },
    displayName: `${u.givenName} ${u.familyName}`,
    emails: [{ value: u.email, primary: true }],
    active: u.active,
    groups,
    meta: { created: '2026-01-01T00:00:00Z', location: `https://api.slack.com/scim/v2/Users/${u.id}` },
  };
}

/** `email eq "x"` or `userName eq "x"` (attribute and operator case-insensitive); undefined: not a filter Slack takes. */
function filterOf(expression: string): ((u: OrgUser) => boolean) | undefined {
  const match = /^\s*(email|userName)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(expression);
  if (!match) return undefined;
  const value = (JSON.parse(`"${match[2]}"`) as string).toLowerCase();
  return match[1]!.toLowerCase() === 'email' ? (u) => u.email.toLowerCase() === value : (u) => u.userName.toLowerCase() === value;
}

function positiveInt(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Sets `active`; deactivating signs every session out, as Slack does. */
function setActive(u: OrgUser, active: boolean): void {
  u.active = active;
  if (!active) u.sessions = [];
}

export function scimUsers(org: GridOrg, method: string, id: string | undefined, query: URLSearchParams, body: unknown): ScimAnswer {
  if (id === undefined) {
    if (method === 'GET') return list(org, query);
    if (method === 'POST') return create(org, body);
    return scimFailure(405, 'method_not_allowed');
  }
  const user = org.users.get(id);
  if (!user) return scimFailure(404, 'user_not_found');
  if (method === 'GET') return { status: 200, body: userOut(org, user) };
  if (method === 'DELETE') {
    if (user.isBot) return scimFailure(403, 'cannot_deactivate_bot');
    setActive(user, false);
    return { status: 204 };
  }
  if (method === 'PATCH') return patch(org, user, body);
  return scimFailure(405, 'method_not_allowed');
}

function list(org: GridOrg, query: URLSearchParams): ScimAnswer {
  const startIndex = positiveInt(query.get('startIndex'), 1);
  const count = positiveInt(query.get('count'), 100);
  if (!startIndex || count === undefined) return scimFailure(400, 'invalid_pagination');
  const filter = query.get('filter');
  const match = filter === null ? () => true : filterOf(filter);
  if (!match) return scimFailure(400, 'invalid_filter');
  const all = [...org.users.values()].filter(match);
  const page = all.slice(startIndex - 1, startIndex - 1 + Math.min(count, MAX_COUNT));
  return { status: 200, body: { schemas: [LIST_SCHEMA], totalResults: all.length, itemsPerPage: page.length, startIndex, Resources: page.map((u) => userOut(org, u)) } };
}

function create(org: GridOrg, body: unknown): ScimAnswer {
  const data = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const userName = typeof data.userName === 'string' ? data.userName : '';
  const emails = Array.isArray(data.emails) ? (data.emails as { value?: unknown; primary?: unknown }[]) : [];
  const email = (emails.find((e) => e.primary === true) ?? emails[0])?.value;
  if (!userName || typeof email !== 'string') return scimFailure(400, 'missing_required_attributes (userName, emails)');
  if (org.byEmail(email)) return scimFailure(409, 'email_taken');
  const handle = userName.split('@')[0]!.toLowerCase();
  if ([...org.users.values()].some((u) => u.userName.toLowerCase() === handle)) return scimFailure(409, 'username_taken');
  const name = (data.name ?? {}) as { givenName?: string; familyName?: string };
  const user = org.addUser({ email, userName: handle, givenName: name.givenName, familyName: name.familyName, active: data.active !== false });
  return { status: 201, body: userOut(org, user) };
}

function patch(org: GridOrg, user: OrgUser, body: unknown): ScimAnswer {
  const data = (typeof body === 'object' && body !== null ? body : {}) as { schemas?: unknown; Operations?: unknown };
  if (!Array.isArray(data.schemas) || !data.schemas.includes(PATCH_SCHEMA) || !Array.isArray(data.Operations)) return scimFailure(400, 'invalid_syntax');
  for (const op of data.Operations as { op?: string; path?: string; value?: unknown }[]) {
    if (String(op.op).toLowerCase() !== 'replace') return scimFailure(400, 'unsupported_operation');
    const value = op.path === 'active' ? op.value : (op.value as { active?: unknown } | undefined)?.active;
    if (typeof value !== 'boolean') return scimFailure(400, 'invalid_value');
    if (user.isBot && !value) return scimFailure(403, 'cannot_deactivate_bot');
    setActive(user, value);
  }
  return { status: 200, body: userOut(org, user) };
}
