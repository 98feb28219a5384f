/**
 * Microsoft Entra ID's own SCIM endpoint (the "SCIM provisioning API", https://graph.microsoft.com/rp/scim),
 * as Microsoft documents it in "Microsoft Entra ID SCIM API reference"
 * (learn.microsoft.com/entra/identity/app-provisioning/entra-id-scim-api-reference).
 *
 * Decision: `entra-id` means that server, not the dialect Entra's provisioning *client* sends to
 * apps; Entra does expose a SCIM server, so a system of this profile is Entra itself.
 *
 * - Resources live at lowercase /users and /groups.
 * - Paging is cursor-based (RFC 9865: `cursor`, empty at first, then each `nextCursor` until a page
 *   has none), not startIndex. The list is named `resources`; SCIM attribute names are
 *   case-insensitive (RFC 7643 2.1), so that is read like `Resources`.
 * - Filters: `eq` (and `ew` on a few attributes), joined by `and` only; groups by displayName, id
 *   or members.value, users by userName, externalId, id or groups.value. Anything else is
 *   400 invalidFilter.
 * - Group reads never include members; a user's groups are GET /groups?filter=members.value eq "<id>".
 * - PATCH: members are added with `{"op":"add","path":"members","value":[{"value":…}]}` and removed
 *   one per request with `{"op":"remove","path":"members[value eq \"…\"]"}`; `active` is replaced
 *   with a boolean.
 *
 * The reference's finer points (the lowercase `resources`, one removal per PATCH, no members on
 * group reads, the filter allow-list) were cross-checked with the notes of the open-source
 * entra-scim-mcp client, which records them as observed against live tenants.
 *
 * Apps built for Entra's provisioning client send `"active": "False"` strings: reading tolerates
 * that in every profile (convert.ts isActive).
 */
import { patchOp, scimQuoted } from '../convert';
import { listByCursor, pagesByCursor } from '../paging';
import type { ScimProfile } from './profile';

export function entraIdProfile(): ScimProfile {
  const profile: ScimProfile = {
    name: 'entra-id',
    usersPath: '/users',
    groupsPath: '/groups',
    list: (api, path, query) => listByCursor(api.http, path, query, api.limits),
    pages: (api, path, query, limits) => pagesByCursor(api.http, path, query, limits ?? api.limits),
    groupByNameQuery: (name) => ({ filter: `displayName eq ${scimQuoted(name)}` }),
    async groupsOf(api, accountId) {
      await api.requireUser(accountId);
      const items = await profile.list(api, profile.groupsPath, { filter: `members.value eq ${scimQuoted(accountId)}` });
      return items.map((item) => api.parseGroup(item, profile.groupsPath));
    },
    activeBody: (active) => patchOp([{ op: 'replace', path: 'active', value: active }]),
    addMemberBody: (accountId) => patchOp([{ op: 'add', path: 'members', value: [{ value: accountId }] }]),
    removeMemberBody: (accountId) => patchOp([{ op: 'remove', path: `members[value eq ${scimQuoted(accountId)}]` }]),
  };
  return profile;
}
