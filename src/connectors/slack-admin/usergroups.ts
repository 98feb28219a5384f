/**
 * User groups of one workspace (an org-level token names it with team_id on every call). A
 * membership change is usergroups.users.update with the whole member list, so it is read first
 * (usergroups.users.list) and written back with this one user added or taken out. Slack refuses
 * to empty a user group that way (its docs: use usergroups.disable instead); disabling would take
 * the group away from everyone (its mentions, its default channels), so removing its last member
 * is left to an admin and answered not_removable.
 */
import { ConnectorError } from '../errors';
import { usergroupsListSchema, usergroupUsersSchema, type Usergroup } from './convert';
import { SlackApiError } from './errors';
import type { SlackWebApi } from './web-api';

export class Usergroups {
  /** handle -> id, from the last usergroups.list. */
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly web: SlackWebApi,
    private readonly system: string,
    private readonly teamId: string,
  ) {}

  /** Every enabled user group with its members (one call: usergroups.list include_users). */
  async all(): Promise<(Usergroup & { users: string[] })[]> {
    const result = await this.web.call('usergroups.list', { team_id: this.teamId, include_users: true, include_disabled: false });
    const groups = this.web.parse('usergroups.list', usergroupsListSchema, result).usergroups.filter((g) => !g.date_delete);
    for (const g of groups) this.ids.set(g.handle, g.id);
    // A group without its member list is only an empty group when Slack counts no members.
    const partial = groups.find((g) => g.users === undefined && g.user_count !== 0);
    if (partial) throw new ConnectorError('unavailable', `${this.system}: usergroups.list answered group ${partial.id} without the members it was asked to include`, this.system);
    return groups.map((g) => ({ ...g, users: g.users ?? [] }));
  }

  /** Handles of the groups `userId` is in, sorted. */
  async of(userId: string): Promise<string[]> {
    return (await this.all()).filter((g) => g.users.includes(userId)).map((g) => g.handle).sort();
  }

  async add(userId: string, handle: string): Promise<void> {
    const id = await this.idOf(handle);
    const members = await this.members(id, handle);
    if (members.includes(userId)) return;
    await this.update(id, [...members, userId]);
  }

  async remove(userId: string, handle: string): Promise<void> {
    const id = await this.idOf(handle);
    const members = await this.members(id, handle);
    if (!members.includes(userId)) return;
    const rest = members.filter((m) => m !== userId);
    if (rest.length === 0) {
      throw new ConnectorError(
        'not_removable',
        `${this.system}: user ${userId} is the only member of user group "${handle}" (${id}); Slack will not empty a user group through usergroups.users.update, so an admin must add a member or disable the group (usergroups.disable); the deactivated account cannot use it`,
        this.system,
      );
    }
    await this.update(id, rest);
  }

  private async members(id: string, handle: string): Promise<string[]> {
    try {
      const result = await this.web.call('usergroups.users.list', { usergroup: id, team_id: this.teamId, include_disabled: false });
      return this.web.parse('usergroups.users.list', usergroupUsersSchema, result).users;
    } catch (err) {
      if (!(err instanceof SlackApiError && err.slackError === 'no_such_subteam')) throw err;
      // Deleted since we learnt its ID: the next call looks the handle up afresh.
      this.ids.delete(handle);
      throw new ConnectorError('bad_request', `${this.system}: user group "${handle}" (${id}) no longer exists`, this.system);
    }
  }

  private async update(id: string, users: string[]): Promise<void> {
    await this.web.call('usergroups.users.update', { usergroup: id, users, team_id: this.teamId });
  }

  /** The group's ID, refreshing the handle map once; an unknown handle is bad_request naming it. */
  private async idOf(handle: string): Promise<string> {
    const known = this.ids.get(handle);
    if (known) return known;
    await this.all();
    const id = this.ids.get(handle);
    if (!id) throw new ConnectorError('bad_request', `${this.system}: no enabled user group with handle "${handle}" in workspace ${this.teamId}`, this.system);
    return id;
  }
}
