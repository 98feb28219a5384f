/**
 * The SCIM peer's plain user listing (GET /Users with only startIndex and count): served from the
 * store, in the form scimmy renders each User. scimmy coerces every resource through its schema,
 * about half a millisecond a user, so a directory of 100,000 listed whole would cost the peer close
 * to a minute of CPU; filtered, sorted or projected listings still go through scimmy.
 * test/integration/scim-peer-listing.test.ts holds this rendering to scimmy's, resource for resource.
 */
import type { NextFunction, Request, Response } from 'express';
import type { StoredUser } from '../../src/sandbox/scim-directory';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** scimmy's page size when the request names none. */
const DEFAULT_COUNT = 20;
/** Parameters that only scimmy handles (it filters, sorts and projects). */
const scimmyOnly = ['filter', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'];

export interface ListableStore {
  /** Every user, in the order the store keeps them (insertion order). */
  userList(): StoredUser[];
  /** A user as the peer's egress hands it to scimmy. */
  userOut(u: StoredUser): Record<string, unknown>;
}

/** A User resource as scimmy renders it (schemas, meta with resourceType and location, then the attributes). */
export function renderUser(store: ListableStore, u: StoredUser, usersPath: string): Record<string, unknown> {
  const { meta, ...attributes } = store.userOut(u) as { meta: { created: string; lastModified: string } };
  return {
    schemas: [USER_SCHEMA],
    ...attributes,
    meta: { resourceType: 'User', created: meta.created, lastModified: meta.lastModified, location: `${usersPath}/${u.id}` },
  };
}

/** Answers plain /Users listings itself; everything else (and a request scimmy must refuse) goes on to scimmy. */
export function plainUserListing(store: ListableStore, token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const query = req.query as Record<string, unknown>;
    if (req.method !== 'GET' || !/^\/Users\/?$/.test(req.path) || scimmyOnly.some((k) => k in query)) return next();
    if (req.header('authorization') !== `Bearer ${token}`) return next();
    const list = store.userList();
    // As scimmy reads them: integers only (the peer's query parser makes numbers of digit strings).
    const startIndex = Number.isInteger(query.startIndex) ? Math.max(1, query.startIndex as number) : 1;
    const count = Number.isInteger(query.count) ? Math.max(0, query.count as number) : DEFAULT_COUNT;
    const usersPath = `${req.baseUrl}/Users`;
    const resources = list.slice(startIndex - 1, startIndex - 1 + count).map((u) => renderUser(store, u, usersPath));
    res.status(200).type('application/scim+json');
    res.json({ schemas: [LIST_SCHEMA], Resources: resources, startIndex, itemsPerPage: count, totalResults: list.length });
  };
}
