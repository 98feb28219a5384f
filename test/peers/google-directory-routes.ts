/**
 * The Directory API methods the Google peer serves (users, sign-out, tokens, ASPs, groups and
 * members), each refusing a token without one of the scopes its discovery document lists, and
 * answering with Google's bodies, statuses and paging.
 */
import express, { type Request, type Response } from 'express';
import { randomInt } from 'node:crypto';
import type { IssuedAccessToken } from './google-token-endpoint';
import {
  badRequest,
  etag,
  googleError,
  groupJson,
  maxResultsOf,
  notFound,
  pageOf,
  userBodyProblem,
  userJson,
  type StoredGroup,
  type StoredUser,
} from './google-directory-wire';

export interface DirectoryState {
  domain: string;
  customerId: string;
  users: Map<string, StoredUser>;
  groups: Map<string, StoredGroup>;
  orgUnits: Set<string>;
  userByKey(key: string): StoredUser | undefined;
  groupByKey(key: string): StoredGroup | undefined;
  newId(): string;
}

const AUTH = 'https://www.googleapis.com/auth/';
const USER_READ = [`${AUTH}admin.directory.user`, `${AUTH}admin.directory.user.readonly`];
const USER_WRITE = [`${AUTH}admin.directory.user`];
const SECURITY = [`${AUTH}admin.directory.user.security`];
const GROUP_READ = [`${AUTH}admin.directory.group`, `${AUTH}admin.directory.group.readonly`];
const MEMBER_WRITE = [`${AUTH}admin.directory.group`, `${AUTH}admin.directory.group.member`];

/** 403 as Google answers a token that lacks every scope the method accepts. */
function scoped(accepted: string[]) {
  return (req: Request, res: Response, next: () => void) => {
    const token = res.locals.token as IssuedAccessToken;
    if (accepted.some((s) => token.scopes.has(s))) return next();
    googleError(res, 403, 'Request had insufficient authentication scopes.', 'insufficientPermissions');
  };
}

export function directoryRoutes(state: DirectoryState): express.Router {
  const api = express.Router();
  const withUser = (req: Request, res: Response): StoredUser | undefined => {
    const user = state.userByKey(String(req.params.userKey));
    if (!user) notFound(res, 'userKey');
    return user;
  };
  const now = () => new Date().toISOString();

  api.get('/users', scoped(USER_READ), (req, res) => {
    const { customer, domain } = req.query;
    if (customer === undefined && domain === undefined) return badRequest(res, 'Bad Request', 'badRequest');
    if (customer !== undefined && customer !== 'my_customer' && customer !== state.customerId) return googleError(res, 403, 'Not Authorized to access this resource/api', 'forbidden');
    if (domain !== undefined && domain !== state.domain) return googleError(res, 403, 'Not Authorized to access this resource/api', 'forbidden');
    const max = maxResultsOf(req.query.maxResults, 100, 500);
    if (typeof max === 'string') return badRequest(res, max, 'invalidParameter');
    const page = pageOf([...state.users.values()], max, req.query.pageToken, 'users');
    if (page === 'bad-token') return badRequest(res, 'Invalid Input: pageToken');
    const users = page.items.map((u) => userJson(u, state.customerId));
    res.json({ kind: 'admin#directory#users', etag: etag(), ...(users.length > 0 ? { users } : {}), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
  });

  api.get('/users/:userKey', scoped(USER_READ), (req, res) => {
    const user = withUser(req, res);
    if (user) res.json(userJson(user, state.customerId));
  });

  api.post('/users', scoped(USER_WRITE), (req, res) => {
    const problem = userBodyProblem(req.body);
    if (problem) return badRequest(res, problem);
    const body = req.body as Partial<StoredUser> & { primaryEmail?: string; password?: string; name?: Partial<StoredUser['name']> };
    for (const field of ['primaryEmail', 'password'] as const) if (!body[field]) return badRequest(res, `Missing required field: ${field}`, 'required');
    if (!body.name?.givenName) return badRequest(res, 'Missing required field: name.givenName', 'required');
    if (!body.name.familyName) return badRequest(res, 'Missing required field: name.familyName', 'required');
    const email = body.primaryEmail!.toLowerCase();
    if (!email.endsWith(`@${state.domain}`)) return badRequest(res, 'Domain not found.', 'notFound');
    if (state.userByKey(email) || state.groupByKey(email)) return googleError(res, 409, 'Entity already exists.', 'duplicate');
    if (body.password!.length < 8 || body.password!.length > 100) return badRequest(res, 'Invalid Password');
    const orgUnitPath = body.orgUnitPath ?? '/';
    if (!state.orgUnits.has(orgUnitPath)) return badRequest(res, 'Invalid Input: INVALID_OU_ID');
    const user: StoredUser = {
      id: state.newId(),
      primaryEmail: email,
      aliases: [],
      name: { givenName: body.name.givenName, familyName: body.name.familyName },
      suspended: body.suspended === true,
      archived: body.archived === true,
      isAdmin: false,
      orgUnitPath,
      creationTime: now(),
      lastLoginTime: '1970-01-01T00:00:00.000Z',
      changePasswordAtNextLogin: body.changePasswordAtNextLogin === true,
      sessions: 0,
      tokens: [],
      asps: [],
    };
    state.users.set(user.id, user);
    res.json(userJson(user, state.customerId));
  });

  // users.update has patch semantics (fields left out are kept), as does users.patch.
  const update = (req: Request, res: Response) => {
    const user = withUser(req, res);
    if (!user) return;
    const problem = userBodyProblem(req.body);
    if (problem) return badRequest(res, problem);
    const body = req.body as { suspended?: boolean; archived?: boolean; orgUnitPath?: string; changePasswordAtNextLogin?: boolean; name?: Partial<StoredUser['name']> };
    if (body.orgUnitPath !== undefined && !state.orgUnits.has(body.orgUnitPath)) return badRequest(res, 'Invalid Input: INVALID_OU_ID');
    if (body.suspended !== undefined) user.suspended = body.suspended;
    if (body.archived !== undefined) user.archived = body.archived;
    if (body.orgUnitPath !== undefined) user.orgUnitPath = body.orgUnitPath;
    if (body.changePasswordAtNextLogin !== undefined) user.changePasswordAtNextLogin = body.changePasswordAtNextLogin;
    if (body.name) user.name = { ...user.name, ...(body.name.givenName ? { givenName: body.name.givenName } : {}), ...(body.name.familyName ? { familyName: body.name.familyName } : {}) };
    res.json(userJson(user, state.customerId));
  };
  api.put('/users/:userKey', scoped(USER_WRITE), update);
  api.patch('/users/:userKey', scoped(USER_WRITE), update);

  api.post('/users/:userKey/signOut', scoped(SECURITY), (req, res) => {
    const user = withUser(req, res);
    if (!user) return;
    user.sessions = 0;
    res.status(204).end();
  });

  api.get('/users/:userKey/tokens', scoped(SECURITY), (req, res) => {
    const user = withUser(req, res);
    if (!user) return;
    const items = user.tokens.map((t) => ({ kind: 'admin#directory#token', etag: etag(), clientId: t.clientId, displayText: t.displayText, anonymous: false, nativeApp: false, scopes: t.scopes, userKey: user.id }));
    res.json({ kind: 'admin#directory#tokenList', etag: etag(), ...(items.length > 0 ? { items } : {}) });
  });
  api.delete('/users/:userKey/tokens/:clientId', scoped(SECURITY), (req, res) => {
    const user = withUser(req, res);
    if (!user) return;
    const before = user.tokens.length;
    user.tokens = user.tokens.filter((t) => t.clientId !== req.params.clientId);
    if (user.tokens.length === before) return notFound(res, 'clientId');
    res.status(204).end();
  });

  api.get('/users/:userKey/asps', scoped(SECURITY), (req, res) => {
    const user = withUser(req, res);
    if (!user) return;
    const items = user.asps.map((a) => ({ kind: 'admin#directory#asp', etag: etag(), codeId: a.codeId, name: a.name, creationTime: a.creationTime, lastTimeUsed: a.lastTimeUsed, userKey: user.id }));
    res.json({ kind: 'admin#directory#aspList', etag: etag(), ...(items.length > 0 ? { items } : {}) });
  });
  api.delete('/users/:userKey/asps/:codeId', scoped(SECURITY), (req, res) => {
    const user = withUser(req, res);
    if (!user) return;
    if (!/^\d+$/.test(String(req.params.codeId))) return badRequest(res, `Invalid value '${String(req.params.codeId)}'. Values must be integers`, 'invalidParameter');
    const before = user.asps.length;
    user.asps = user.asps.filter((a) => a.codeId !== Number(req.params.codeId));
    if (user.asps.length === before) return notFound(res, 'codeId');
    res.status(204).end();
  });

  api.get('/groups', scoped(GROUP_READ), (req, res) => {
    const { customer, domain, userKey } = req.query;
    if (customer === undefined && domain === undefined && userKey === undefined) return badRequest(res, 'Bad Request', 'badRequest');
    const max = maxResultsOf(req.query.maxResults, 200, 200);
    if (typeof max === 'string') return badRequest(res, max, 'invalidParameter');
    let groups = [...state.groups.values()];
    if (userKey !== undefined) {
      const user = state.userByKey(String(userKey));
      if (!user) return notFound(res, 'userKey');
      groups = groups.filter((g) => g.members.has(user.id));
    }
    const page = pageOf(groups, max, req.query.pageToken, `groups:${String(userKey ?? '')}`);
    if (page === 'bad-token') return badRequest(res, 'Invalid Input: pageToken');
    const items = page.items.map(groupJson);
    res.json({ kind: 'admin#directory#groups', etag: etag(), ...(items.length > 0 ? { groups: items } : {}), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
  });

  api.get('/groups/:groupKey', scoped(GROUP_READ), (req, res) => {
    const group = state.groupByKey(String(req.params.groupKey));
    if (!group) return notFound(res, 'groupKey');
    res.json(groupJson(group));
  });

  api.post('/groups/:groupKey/members', scoped(MEMBER_WRITE), (req, res) => {
    const group = state.groupByKey(String(req.params.groupKey));
    if (!group) return notFound(res, 'groupKey');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).find((k) => !['email', 'role', 'type', 'delivery_settings', 'id', 'kind', 'etag', 'status'].includes(k));
    if (unknown) return badRequest(res, `Invalid JSON payload received. Unknown name "${unknown}" at 'resource': Cannot find field.`);
    if (typeof body.email !== 'string' || body.email === '') return badRequest(res, 'Missing required field: email', 'required');
    const role = body.role ?? 'MEMBER';
    if (role !== 'MEMBER' && role !== 'MANAGER' && role !== 'OWNER') return badRequest(res, 'Invalid Input: role');
    const user = state.userByKey(body.email);
    if (!user) return notFound(res, 'memberKey');
    if (group.members.has(user.id)) return googleError(res, 409, 'Member already exists.', 'duplicate');
    group.members.set(user.id, role);
    res.json({ kind: 'admin#directory#member', etag: etag(), id: user.id, email: user.primaryEmail, role, type: 'USER', status: 'ACTIVE' });
  });

  api.delete('/groups/:groupKey/members/:memberKey', scoped(MEMBER_WRITE), (req, res) => {
    const group = state.groupByKey(String(req.params.groupKey));
    if (!group) return notFound(res, 'groupKey');
    const user = state.userByKey(String(req.params.memberKey));
    if (!user || !group.members.has(user.id)) return notFound(res, 'memberKey');
    group.members.delete(user.id);
    res.status(204).end();
  });

  return api;
}

/** A fresh ASP code ID (Google's are small integers). */
export function newCodeId(): number {
  return randomInt(1, 2 ** 31 - 1);
}
