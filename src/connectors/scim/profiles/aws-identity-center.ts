/**
 * AWS IAM Identity Center's SCIM endpoint, as its "IAM Identity Center SCIM Implementation
 * Developer Guide" documents it (docs.aws.amazon.com/singlesignon/latest/developerguide/:
 * limitations.html, listusers.html, listgroups.html, getgroup.html, patchgroup.html, patchuser.html).
 *
 * - Filters: `eq` only, joined by `and`; ListUsers takes userName, externalId, groups.value and
 *   id+manager; ListGroups takes displayName, externalId, id+members and (in the current guide)
 *   members.value. Nothing else is accepted (ValidationException, 400).
 * - Paging: no startIndex ("not supported", listusers.html). Lists page by `cursor` (empty on the
 *   first request) and `nextCursor` (absent on the last page; a page may hold fewer than `count`),
 *   `count` 1..100. Without `cursor` a list answers one page of at most 100, so it is never used.
 * - GetGroup and ListGroups return an empty `members` list, and users carry no `groups`: a user's
 *   groups can only be found with a member filter.
 * - PatchGroup: members are added and removed with `{"op":"add"|"remove","path":"members",
 *   "value":[{"value":"<user id>"}]}`; PatchUser takes one `replace` of `active`.
 *
 * Decision: the guide's older editions (still served for some regions and languages) document only
 * `id eq "<group>" and members eq "<user>"` and no paging; the current one adds `members.value eq`
 * with cursor paging. We ask `members.value` first and, when it is refused with a 400, list every
 * group (cursor-paged) and check each with `id eq … and members eq …`. Both ways are complete; a
 * listing that cannot be finished is an error.
 */
import { ConnectorError } from '../../errors';
import { listPageOf, listByCursor, pagesByCursor, type PagingLimits } from '../paging';
import { patchOp, scimQuoted, type ScimGroup } from '../convert';
import type { ScimApi, ScimProfile } from './profile';

/** Membership checks in flight at once when groups are checked one by one. */
const CHECKS_AT_ONCE = 4;

export function awsIdentityCenterProfile(): ScimProfile {
  let membersValueWorks = true;
  const profile: ScimProfile = {
    name: 'aws-identity-center',
    usersPath: '/Users',
    groupsPath: '/Groups',
    list: (api, path, query) => listByCursor(api.http, path, query, awsLimits(api.limits)),
    pages: (api, path, query, limits) => pagesByCursor(api.http, path, query, awsLimits(limits ?? api.limits)),
    groupByNameQuery: (name) => ({ filter: `displayName eq ${scimQuoted(name)}` }),
    async groupsOf(api, accountId) {
      await api.requireUser(accountId);
      if (membersValueWorks) {
        try {
          const items = await profile.list(api, '/Groups', { filter: `members.value eq ${scimQuoted(accountId)}` });
          return items.map((item) => api.parseGroup(item, '/Groups'));
        } catch (err) {
          if (!(err instanceof ConnectorError) || err.status !== 400) throw err;
          membersValueWorks = false;
        }
      }
      const all = (await profile.list(api, '/Groups', {})).map((item) => api.parseGroup(item, '/Groups'));
      const held: ScimGroup[] = [];
      await inBatches(all, CHECKS_AT_ONCE, async (group) => {
        if (await isMember(api, group.id, accountId)) held.push(group);
      });
      return held;
    },
    activeBody: (active) => patchOp([{ op: 'replace', path: 'active', value: active }]),
    addMemberBody: (accountId) => patchOp([{ op: 'add', path: 'members', value: [{ value: accountId }] }]),
    removeMemberBody: (accountId) => patchOp([{ op: 'remove', path: 'members', value: [{ value: accountId }] }]),
  };
  return profile;
}

/** GET /Groups?filter=id eq "<group>" and members eq "<user>": one result when the user is a member, none otherwise. */
async function isMember(api: ScimApi, groupId: string, accountId: string): Promise<boolean> {
  const path = '/Groups';
  const res = await api.http.get(path, { query: { filter: `id eq ${scimQuoted(groupId)} and members eq ${scimQuoted(accountId)}` }, accept: [404] });
  // ResourceNotFoundException: "when filter querying with a nonexisting member".
  if (api.http.isVendorNotFound(res)) throw new ConnectorError('not_found', `${api.http.system}: user ${accountId} not found`, api.http.system, 404);
  if (res.status === 404) throw api.http.toError('GET', path, res);
  const page = listPageOf(api.http.system, res, path);
  return page.resources.some((item) => api.parseGroup(item, path).id === groupId);
}

/** `count` is 1..100 on every AWS list. */
function awsLimits(limits: PagingLimits): PagingLimits {
  return { ...limits, pageSize: Math.min(limits.pageSize, 100) };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
