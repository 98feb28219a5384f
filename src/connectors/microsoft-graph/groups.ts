/**
 * Entitlements are groups named by displayName, as Entra admins see them ("group:Engineering").
 * displayName is not unique in Entra, so a name two groups share is refused, naming both IDs,
 * rather than guessed. Names resolve with GET /groups?$filter=displayName eq '…' (every page), and
 * are remembered, with whether the group is dynamic, from searches and from users' memberships.
 */
import { ConnectorError } from '../errors';
import type { JsonHttpClient } from '../http';
import { GROUP_SELECT, groupPageSchema, odataQuoted, type GraphGroup } from './convert';
import { allItems, followPages } from './paging';

const GROUPS = '/groups';

export class GraphGroups {
  private readonly byName = new Map<string, GraphGroup>();
  /** Searches under way, so leavers revoking the same group at once search for it once. */
  private readonly searches = new Map<string, Promise<GraphGroup | undefined>>();

  constructor(private readonly http: JsonHttpClient) {}

  /** What a user's memberships told us; a name two of them share is left to a search (which refuses it). */
  learn(groups: readonly GraphGroup[]): void {
    const counts = new Map<string, number>();
    for (const g of groups) if (g.displayName) counts.set(g.displayName, (counts.get(g.displayName) ?? 0) + 1);
    for (const g of groups) {
      if (!g.displayName) continue;
      if (counts.get(g.displayName) === 1) this.byName.set(g.displayName, g);
      else this.byName.delete(g.displayName);
    }
  }

  forget(name: string): void {
    this.byName.delete(name);
  }

  /** The one group of that name; bad_request (naming it) when there is none or more than one. `fresh`: search anew. */
  async require(name: string, fresh = false): Promise<GraphGroup> {
    if (fresh) this.forget(name);
    const group = this.byName.get(name) ?? (await this.search(name));
    if (!group) throw new ConnectorError('bad_request', `${this.http.system}: no Entra group named "${name}"`, this.http.system);
    return group;
  }

  /** The group with that ID, or null when Graph's answer holds none. */
  async byId(groupId: string): Promise<GraphGroup | null> {
    const res = await this.http.get(GROUPS, { query: { $filter: `id eq ${odataQuoted(groupId)}`, $select: GROUP_SELECT } });
    const found = await allItems(followPages(this.http, groupPageSchema, res, GROUPS));
    return found.find((g) => g.id === groupId) ?? null;
  }

  private search(name: string): Promise<GraphGroup | undefined> {
    let search = this.searches.get(name);
    if (!search) {
      search = this.searchNow(name).finally(() => this.searches.delete(name));
      this.searches.set(name, search);
    }
    return search;
  }

  private async searchNow(name: string): Promise<GraphGroup | undefined> {
    const res = await this.http.get(GROUPS, { query: { $filter: `displayName eq ${odataQuoted(name)}`, $select: GROUP_SELECT } });
    // Graph compares strings without regard to case; an exact-case match is preferred.
    const found = (await allItems(followPages(this.http, groupPageSchema, res, GROUPS))).filter((g) => g.displayName?.toLowerCase() === name.toLowerCase());
    const exact = found.filter((g) => g.displayName === name);
    const candidates = exact.length > 0 ? exact : found;
    if (candidates.length > 1) {
      const ids = candidates.map((g) => g.id).join(', ');
      throw new ConnectorError('bad_request', `${this.http.system}: ${candidates.length} Entra groups are named "${name}" (${ids}); rename one so the name is unique`, this.http.system);
    }
    const group = candidates[0];
    if (group) this.byName.set(name, group);
    return group;
  }
}
