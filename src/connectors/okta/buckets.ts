/**
 * The rate-limit bucket an Okta request counts against, as Okta's "Management rate limits" page
 * draws them. Okta reports X-Rate-Limit-* for the bucket, not for the endpoint, and one bucket
 * spans several of our calls (a session kill and a suspension are both writes on a user; a group
 * search and a membership change are both /api/v1/groups calls), so the pacer must count them
 * together or each call would spend the same remaining requests as if they were its own.
 *  - only GET or POST to /api/v1/users                        -> users
 *  - only GET to /api/v1/users/{idOrLogin}                    -> users/{idOrLogin} read
 *  - POST, PUT or DELETE to /api/v1/users/{id}, and the writes
 *    on its sub-resources (lifecycle, sessions)               -> users/{id} write
 *  - /api/v1/groups/{id} only                                 -> groups/{id}
 *  - /api/v1/groups and the rest of its base (memberships)    -> groups
 *  - anything else under /api/v1 (e.g. a user's groups)       -> api/v1
 * A call outside this table (none of the connector's today) keeps a key of its own, method and path
 * template, as the pacer does by default.
 */
import { bucketOf } from '../pacer';

export function oktaBucketOf(method: string, pathname: string): string {
  const api = /\/api\/v1(\/.*)?$/.exec(pathname);
  if (!api) return bucketOf(method, pathname);
  const rest = (api[1] ?? '').replace(/\/+$/, '');
  const parts = rest.split('/').slice(1);
  const write = method === 'POST' || method === 'PUT' || method === 'DELETE';
  if (parts[0] === 'users') {
    if (parts.length === 1 && (method === 'GET' || method === 'POST')) return 'okta users';
    if (parts.length === 2 && method === 'GET') return 'okta users/{idOrLogin} read';
    if (parts.length >= 2 && write && parts[1] !== 'me') return 'okta users/{id} write';
    if (parts.length >= 3 && method === 'GET') return 'okta api/v1';
    return bucketOf(method, pathname);
  }
  if (parts[0] === 'groups') return parts.length === 2 ? 'okta groups/{id}' : 'okta groups';
  return 'okta api/v1';
}
