/**
 * AWS IAM Identity Center's SCIM dialect in front of scimmy, from its developer guide
 * (docs.aws.amazon.com/singlesignon/latest/developerguide/): refuses what AWS refuses, with a
 * ValidationException 400, and answers the way AWS answers.
 *
 * - No startIndex ("not supported"), no attributes/excludedAttributes on /Users; count 1..100.
 * - Filters: `eq` joined by `and`, and only the documented combinations: Users by userName,
 *   externalId, groups.value or id+manager; Groups by displayName, externalId, id+members, and
 *   members.value only when `membersValueFilter` is on (the current guide; older editions lack it).
 *   A member filter naming a user that does not exist is 404 ResourceNotFoundException.
 * - `cursor` (empty first) pages with `nextCursor`; without `cursor` a list is one page of at most
 *   `count`, and says so in totalResults (the guide's examples show 100 of 100: the peer assumes the
 *   worst, that a longer list is silently cut there).
 * - Groups are returned with an empty members list; users without `groups`.
 * - PatchGroup: only add/remove of `members` with a value list (at most 100), no remove-all or
 *   replace of members; PatchUser: one operation at most on `active`.
 */
import type { RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ERROR_SCHEMA, andClauses, decodeCursor, encodeCursor, isError, isList, quoted, rewriteJson, setQuery, stringQuery, type DialectStore, type Json } from './scim-dialect-kit';

export interface AwsDialectOptions {
  /** Accept `members.value eq` on /Groups, as the guide's current edition documents. Default false. */
  membersValueFilter?: boolean;
}

const USER_FILTERS = [['userName'], ['externalId'], ['groups.value'], ['id', 'manager']];
const GROUP_FILTERS = [['displayName'], ['externalId'], ['id', 'members']];

export function awsDialect(store: DialectStore, options: AwsDialectOptions = {}): RequestHandler {
  const groupFilters = options.membersValueFilter ? [...GROUP_FILTERS, ['members.value']] : GROUP_FILTERS;
  return (req, res, next) => {
    const [, resource, id] = req.path.split('/');
    if (resource !== 'Users' && resource !== 'Groups') return next();
    const invalid = (detail: string) => awsError(res, 400, 'ValidationException', detail);
    if (req.method === 'GET' && !id) {
      const q = stringQuery(req);
      if ('startIndex' in q) return invalid('startIndex is not supported');
      if (resource === 'Users' && ('attributes' in q || 'excludedAttributes' in q)) return invalid('attributes and excludedAttributes are not supported');
      const count = q.count === undefined ? 100 : Number(q.count);
      if (!Number.isInteger(count) || count < 1 || count > 100) return invalid('count must be between 1 and 100');
      let filter: string | undefined;
      if (q.filter !== undefined) {
        const clauses = andClauses(q.filter);
        const attrs = clauses?.map((c) => c.attr).sort().join(',');
        const allowed = (resource === 'Users' ? USER_FILTERS : groupFilters).some((combo) => [...combo].sort().join(',') === attrs);
        if (!clauses || !allowed || clauses.some((c) => c.op !== 'eq')) return invalid(`Filter ${q.filter} is not supported`);
        const member = clauses.find((c) => c.attr === 'members' || c.attr === 'members.value');
        if (member && !store.hasUser(member.value)) return awsError(res, 404, 'ResourceNotFoundException', 'Member does not exist');
        filter = clauses.map((c) => `${c.attr === 'members' ? 'members.value' : c.attr} eq ${quoted(c.value)}`).join(' and ');
      }
      const paged = 'cursor' in q;
      const offset = paged ? decodeCursor(q.cursor ?? '') : 0;
      if (offset === undefined) return invalid('cursor is not valid');
      setQuery(req, { ...(filter ? { filter } : {}), startIndex: String(offset + 1), count: String(count) });
      rewriteJson(res, (body) => (isList(body) ? awsList(body, resource, paged, offset) : plainResource(resource, body)));
      return next();
    }
    if (req.method === 'PATCH' && id) {
      const ops = ((req.body as Json | undefined)?.Operations ?? []) as Json[];
      if (resource === 'Groups') {
        if (!store.hasGroup(id)) return awsError(res, 404, 'ResourceNotFoundException', 'Specified group does not exist');
        const changes = ops.reduce((n, op) => n + (Array.isArray(op.value) ? op.value.length : 0), 0);
        const documented = ops.every((op) => (op.op === 'add' || op.op === 'remove') && op.path === 'members' && Array.isArray(op.value) && op.value.length > 0);
        if (!documented) return invalid('Only add and remove of members with a value list are supported');
        if (changes > 100) return invalid('At most 100 membership changes are allowed in a single request');
      } else if (ops.filter((op) => String(op.path ?? '').toLowerCase() === 'active').length > 1) {
        return invalid('Multiple PATCH operations on active are not supported');
      }
    }
    rewriteJson(res, (body) => plainResource(resource, body));
    next();
  };
}

function awsList(body: Json, resource: string, paged: boolean, offset: number): Json {
  const resources = ((body.Resources ?? []) as Json[]).map((r) => plainResource(resource, r));
  const total = Number(body.totalResults ?? 0);
  if (!paged) return { totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, schemas: body.schemas, Resources: resources };
  const next = offset + resources.length;
  return { itemsPerPage: resources.length, ...(next < total ? { nextCursor: encodeCursor(next) } : {}), schemas: body.schemas, Resources: resources };
}

/** Groups come back with an empty member list, users without groups. */
function plainResource(resource: string, body: Json): Json {
  if (isError(body) || isList(body)) return body;
  if (resource === 'Groups') return { ...body, members: [] };
  const { groups: _groups, ...rest } = body;
  return rest;
}

function awsError(res: Response, status: number, exception: string, detail: string): void {
  res.status(status).type('application/json').send(
    JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(status), detail: `${exception}: ${detail}`, exceptionRequestId: randomUUID(), timeStamp: new Date().toISOString() }),
  );
}
