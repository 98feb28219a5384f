/**
 * The Directory API resources as the Google peer stores and serves them: User and Group JSON,
 * Google's error bodies, page tokens, maxResults bounds, and the check Google makes of a User
 * body (unknown fields and wrong types refused).
 */
import type { Response } from 'express';

export interface StoredUser {
  id: string;
  primaryEmail: string;
  aliases: string[];
  name: { givenName: string; familyName: string };
  suspended: boolean;
  archived: boolean;
  isAdmin: boolean;
  orgUnitPath: string;
  creationTime: string;
  /** Google's "never" is the epoch. */
  lastLoginTime: string;
  changePasswordAtNextLogin: boolean;
  /** Open web and device sessions (signOut ends them). */
  sessions: number;
  tokens: { clientId: string; displayText: string; scopes: string[] }[];
  asps: { codeId: number; name: string; creationTime: string; lastTimeUsed: string }[];
}

export interface StoredGroup {
  id: string;
  email: string;
  name: string;
  aliases: string[];
  /** User ID -> role. */
  members: Map<string, 'MEMBER' | 'MANAGER' | 'OWNER'>;
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's JSON error body: `{error: {code, message, errors: [{message, domain, reason}], status}}`. */
export function googleError(res: Response, code: number, message: string, reason: string): void {
  res.status(code).json({ error: { code, message, errors: [{ message, domain: 'global', reason }], status: STATUS[code] ?? 'UNKNOWN' } });
}

export const notFound = (res: Response, key: string) => googleError(res, 404, `Resource Not Found: ${key}`, 'notFound');
export const badRequest = (res: Response, message: string, reason = 'invalid') => googleError(res, 400, message, reason);

export function etag(): string {
  return `"${Buffer.from(String(Math.random())).toString('base64url').slice(0, 27)}"`;
}

export function userJson(u: StoredUser, customerId: string) {
  return {
    kind: 'admin#directory#user',
    id: u.id,
    etag: etag(),
    primaryEmail: u.primaryEmail,
    name: { ...u.name, fullName: `${u.name.givenName} ${u.name.familyName}` },
    isAdmin: u.isAdmin,
    isDelegatedAdmin: false,
    lastLoginTime: u.lastLoginTime,
    creationTime: u.creationTime,
    agreedToTerms: true,
    suspended: u.suspended,
    ...(u.suspended ? { suspensionReason: 'ADMIN' } : {}),
    archived: u.archived,
    changePasswordAtNextLogin: u.changePasswordAtNextLogin,
    ipWhitelisted: false,
    emails: [{ address: u.primaryEmail, primary: true }, ...u.aliases.map((address) => ({ address }))],
    ...(u.aliases.length > 0 ? { aliases: u.aliases } : {}),
    customerId,
    orgUnitPath: u.orgUnitPath,
    isMailboxSetup: true,
    isEnrolledIn2Sv: false,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  };
}

export function groupJson(g: StoredGroup) {
  return {
    kind: 'admin#directory#group',
    id: g.id,
    etag: etag(),
    email: g.email,
    name: g.name,
    directMembersCount: String(g.members.size),
    description: '',
    adminCreated: true,
    ...(g.aliases.length > 0 ? { aliases: g.aliases } : {}),
  };
}

/** Writable and output-only fields of User the peer knows; anything else is "Unknown name". */
const USER_FIELDS: Record<string, 'string' | 'boolean' | 'object' | 'any'> = {
  primaryEmail: 'string',
  name: 'object',
  password: 'string',
  hashFunction: 'string',
  changePasswordAtNextLogin: 'boolean',
  suspended: 'boolean',
  archived: 'boolean',
  orgUnitPath: 'string',
  emails: 'any',
  externalIds: 'any',
  aliases: 'any',
  nonEditableAliases: 'any',
  id: 'string',
  kind: 'string',
  etag: 'string',
  customerId: 'string',
  creationTime: 'string',
  lastLoginTime: 'string',
  deletionTime: 'string',
  isAdmin: 'boolean',
  isDelegatedAdmin: 'boolean',
  suspensionReason: 'string',
};
const NAME_FIELDS = new Set(['givenName', 'familyName', 'fullName', 'displayName']);

/** Google's refusal of a User body (unknown field, wrong type), or undefined when it would take it. */
export function userBodyProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Invalid JSON payload received. Expected an object.';
  for (const [field, value] of Object.entries(body)) {
    const type = USER_FIELDS[field];
    if (!type) return `Invalid JSON payload received. Unknown name "${field}" at 'resource': Cannot find field.`;
    if (type === 'any' || value === null) continue;
    if (type === 'object' ? typeof value !== 'object' || Array.isArray(value) : typeof value !== type) {
      return `Invalid value at 'resource.${field}' (${type === 'boolean' ? 'TYPE_BOOL' : type === 'string' ? 'TYPE_STRING' : 'TYPE_MESSAGE'}), ${JSON.stringify(value)}`;
    }
    if (field === 'name') {
      for (const [part, text] of Object.entries(value as object)) {
        if (!NAME_FIELDS.has(part)) return `Invalid JSON payload received. Unknown name "${part}" at 'resource.name': Cannot find field.`;
        if (typeof text !== 'string') return `Invalid value at 'resource.name.${part}' (TYPE_STRING), ${JSON.stringify(text)}`;
      }
    }
  }
  return undefined;
}

/**
 * Opaque page tokens bound to the listing they came from: a token from one listing (or a made-up
 * one) is refused, as Google refuses it.
 */
export function pageOf<T>(items: T[], maxResults: number, pageToken: unknown, listing: string): { items: T[]; nextPageToken?: string } | 'bad-token' {
  let offset = 0;
  if (typeof pageToken === 'string' && pageToken !== '') {
    const [scope, at] = Buffer.from(pageToken, 'base64url').toString('utf8').split('|');
    if (scope !== listing || !/^\d+$/.test(at ?? '')) return 'bad-token';
    offset = Number(at);
  }
  const slice = items.slice(offset, offset + maxResults);
  const next = offset + maxResults < items.length ? Buffer.from(`${listing}|${offset + maxResults}`).toString('base64url') : undefined;
  return next ? { items: slice, nextPageToken: next } : { items: slice };
}

/** maxResults as Google checks it: an integer in [1, max], or the method's default. */
export function maxResultsOf(value: unknown, defaultValue: number, max: number): number | string {
  if (value === undefined) return defaultValue;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) return `Invalid value '${String(value)}'. Values must be within the range: [1, ${max}]`;
  return n;
}
