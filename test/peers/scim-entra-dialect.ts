/**
 * Microsoft Entra ID's own SCIM API dialect in front of scimmy, from "Microsoft Entra ID SCIM API
 * reference" (learn.microsoft.com/entra/identity/app-provisioning/entra-id-scim-api-reference),
 * with the finer points as the open-source entra-scim-mcp client records them from live tenants.
 *
 * - /users and /groups (either case); lists page by cursor (RFC 9865): `cursor` empty or absent
 *   first, `nextCursor` while there is more; `count` 1..1000. startIndex is not part of the API
 *   and is ignored. The list is named `resources`.
 * - Filters: `eq` (`ew` on userName and displayName) joined by `and` only; users by userName,
 *   externalId (alone), id or groups.value; groups by displayName, id or members.value. Anything
 *   else is 400 invalidFilter.
 * - Group reads never include members; user reads carry no groups.
 * - PATCH of group members: add with `path: "members"` and at most 20 values; remove one member per
 *   request with `path: 'members[value eq "…"]'` and no other operation. Other forms are 400.
 */
import type { RequestHandler, Response } from 'express';
import { ERROR_SCHEMA, andClauses, decodeCursor, encodeCursor, isError, isList, rewriteJson, setQuery, stringQuery, type DialectStore, type Json } from './scim-dialect-kit';

const EQ = { users: ['userName', 'externalId', 'id', 'groups.value'], groups: ['displayName', 'id', 'members.value'] };
const EW = { users: ['userName'], groups: ['displayName'] };

export function entraDialect(store: DialectStore): RequestHandler {
  return (req, res, next) => {
    const [, head, id] = req.path.split('/');
    const resource = head?.toLowerCase();
    if (resource !== 'users' && resource !== 'groups') return next();
    const scimmyPath = `/${resource === 'users' ? 'Users' : 'Groups'}${id ? `/${id}` : ''}`;
    const q = stringQuery(req);
    if (req.method === 'GET' && !id) {
      const count = q.count === undefined ? 100 : Number(q.count);
      if (!Number.isInteger(count) || count < 1) return entraError(res, 400, 'invalidValue', 'count must be a positive integer.');
      const offset = decodeCursor(q.cursor ?? '');
      if (offset === undefined) return entraError(res, 400, 'invalidValue', 'Invalid cursor.');
      if (q.filter !== undefined && !filterAllowed(resource, q.filter)) return entraError(res, 400, 'invalidFilter', `The filter ${q.filter} is not supported.`);
      const { cursor: _c, startIndex: _s, ...rest } = q;
      req.url = scimmyPath;
      setQuery(req, { ...rest, startIndex: String(offset + 1), count: String(Math.min(count, 1000)) });
      rewriteJson(res, (body) => (isList(body) ? entraList(body, resource, offset) : plainResource(resource, body)));
      return next();
    }
    if (req.method === 'PATCH' && id && resource === 'groups') {
      if (!store.hasGroup(id)) return entraError(res, 404, undefined, `Group '${id}' not found.`);
      const ops = ((req.body as Json | undefined)?.Operations ?? []) as Json[];
      const memberOps = ops.filter((op) => /^members/i.test(String(op.path ?? '')));
      for (const op of memberOps) {
        const adds = op.op === 'add' && op.path === 'members' && Array.isArray(op.value) && op.value.length > 0 && op.value.length <= 20;
        const removesOne = op.op === 'remove' && /^members\[value eq "(?:[^"\\]|\\.)+"\]$/.test(String(op.path)) && op.value === undefined;
        if (!adds && !removesOne) return entraError(res, 400, 'invalidValue', 'Unsupported member operation.');
        if (op.op === 'remove' && ops.length > 1) return entraError(res, 400, 'invalidValue', 'A member removal must be the only operation in the request.');
      }
    }
    const query = new URLSearchParams(q).toString();
    req.url = query ? `${scimmyPath}?${query}` : scimmyPath;
    rewriteJson(res, (body) => plainResource(resource, body));
    next();
  };
}

function filterAllowed(resource: 'users' | 'groups', filter: string): boolean {
  const clauses = andClauses(filter);
  if (!clauses) return false;
  if (resource === 'users' && clauses.length > 1 && clauses.some((c) => c.attr === 'externalId')) return false;
  return clauses.every((c) => (c.op === 'eq' ? EQ[resource] : c.op === 'ew' ? EW[resource] : []).includes(c.attr));
}

function entraList(body: Json, resource: string, offset: number): Json {
  const resources = ((body.Resources ?? []) as Json[]).map((r) => plainResource(resource, r));
  const total = Number(body.totalResults ?? 0);
  const next = offset + resources.length;
  return { schemas: body.schemas, totalResults: total, itemsPerPage: resources.length, ...(next < total ? { nextCursor: encodeCursor(next) } : {}), resources };
}

function plainResource(resource: string, body: Json): Json {
  if (isError(body) || isList(body)) return body;
  const { members: _members, groups: _groups, ...rest } = body;
  return resource === 'groups' || resource === 'users' ? rest : body;
}

function entraError(res: Response, status: number, scimType: string | undefined, detail: string): void {
  res.status(status).type('application/scim+json').send(JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(status), detail, ...(scimType ? { scimType } : {}) }));
}
