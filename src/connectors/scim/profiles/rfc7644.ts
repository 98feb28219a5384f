/**
 * RFC 7644 as written: startIndex/count paging, filters on complex attributes
 * (`members.value eq`), PATCH remove by value filter (`members[value eq "…"]`, 3.5.2.2).
 *
 * A user's groups come from GET /Groups?filter=members.value eq "<id>" (every page). A server that
 * refuses that filter (400/501) is asked for the user's own `groups` attribute (RFC 7643 4.1.2,
 * readOnly, optional); a server that offers neither cannot list memberships, which is
 * 'unsupported', never "no groups".
 */
import { ConnectorError } from '../../errors';
import { patchOp, scimQuoted, type ScimGroup, type ScimUser } from '../convert';
import { listByIndex, pagesByIndex } from '../paging';
import type { ScimApi, ScimProfile } from './profile';

export function rfc7644Profile(): ScimProfile {
  /** Cleared after the server refuses `members.value` filters; the user's `groups` attribute is read instead. */
  let memberFilterWorks = true;
  const profile: ScimProfile = {
    name: 'rfc7644',
    usersPath: '/Users',
    groupsPath: '/Groups',
    list: (api, path, query) => listByIndex(api.http, path, query, api.limits),
    pages: (api, path, query, limits) => pagesByIndex(api.http, path, query, limits ?? api.limits),
    groupByNameQuery: (name) => ({ filter: `displayName eq ${scimQuoted(name)}`, excludedAttributes: 'members' }),
    async groupsOf(api, accountId) {
      const user = await api.requireUser(accountId);
      if (memberFilterWorks) {
        try {
          const items = await profile.list(api, '/Groups', { filter: `members.value eq ${scimQuoted(accountId)}`, attributes: 'displayName' });
          return items.map((item) => api.parseGroup(item, '/Groups'));
        } catch (err) {
          if (!(err instanceof ConnectorError) || (err.status !== 400 && err.status !== 501)) throw err;
          memberFilterWorks = false;
        }
      }
      if (user.groups === undefined) {
        throw new ConnectorError(
          'unsupported',
          `${api.http.system}: the server refuses members filters on /Groups and its users carry no groups attribute, so memberships cannot be listed completely`,
          api.http.system,
        );
      }
      return groupsFromUser(api, user.groups);
    },
    activeBody: (active) => patchOp([{ op: 'replace', path: 'active', value: active }]),
    addMemberBody: (accountId) => patchOp([{ op: 'add', path: 'members', value: [{ value: accountId }] }]),
    removeMemberBody: (accountId) => patchOp([{ op: 'remove', path: `members[value eq ${scimQuoted(accountId)}]` }]),
  };
  return profile;
}

/** Direct memberships from the user's `groups`; indirect ones come through nested groups and are not ours to revoke. */
async function groupsFromUser(api: ScimApi, refs: NonNullable<ScimUser['groups']>): Promise<ScimGroup[]> {
  const direct = refs.filter((g) => g.type === undefined || g.type.toLowerCase() === 'direct');
  const out: ScimGroup[] = [];
  for (const ref of direct) {
    if (ref.display) {
      out.push({ id: ref.value, displayName: ref.display });
      continue;
    }
    const path = `/Groups/${encodeURIComponent(ref.value)}`;
    const res = await api.http.get(path, { query: { attributes: 'displayName' }, accept: [404] });
    // The group went away between the two reads: nobody holds it any more.
    if (api.http.isVendorNotFound(res)) continue;
    if (res.status === 404) throw api.http.toError('GET', path, res);
    out.push(api.parseGroup(res.body, path));
  }
  return out;
}
