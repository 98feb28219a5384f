/** Google Workspace connector (Admin SDK Directory API): users, suspension, sessions and group memberships. */
import { randomBytes } from 'node:crypto';
import type { AccessNote, Account, Connector, NewAccount } from '../types';
import { groupNameOf } from '../entitlement';
import { ConnectorError } from '../errors';
import { DirectoryApi, GROUPS, USERS, userNotFound, userPath, type DirectoryApiOptions } from './api';
import {
  googleErrorReasons,
  googleGroupPageSchema,
  googleGroupSchema,
  googleMemberSchema,
  googleUserPageSchema,
  googleUserSchema,
  groupKeyOf,
  groupNameOfEmail,
  toAccount,
  type GoogleGroup,
  type GoogleUser,
} from './convert';
import { SCOPES, SCOPE_PURPOSE, type ScopeName } from './scopes';
import { killGoogleSessions } from './sessions';
import { TokenRefusedError } from './token';

export interface GoogleWorkspaceConnectorOptions extends Omit<DirectoryApiOptions, 'system' | 'tokenUrl' | 'baseUrl'> {
  id: string;
  tokenUrl?: string;
  baseUrl?: string;
  /** The account's customer ID, or my_customer (the admin's own account). */
  customer?: string;
  /** The domain a bare group name belongs to ("group:engineering" is engineering@<domain>). */
  domain?: string;
  /** Where createAccount puts new users. */
  orgUnitPath?: string;
  /** users.list page size (Google's maximum, 500, by default). */
  userPageSize?: number;
  /** groups.list page size (Google's maximum, 200, by default). */
  groupPageSize?: number;
  /** Pages a user's group listing may take before it is an error rather than a silently shortened list. */
  maxPages?: number;
}

export const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const DEFAULT_BASE_URL = 'https://admin.googleapis.com';

export class GoogleWorkspaceConnector implements Connector {
  readonly type = 'google-workspace';
  readonly id: string;
  readonly location: string;
  private readonly api: DirectoryApi;
  private readonly customer: string;
  private readonly domain?: string;
  private readonly orgUnitPath: string;
  private readonly clientId: string;
  private readonly userPageSize: number;
  private readonly groupPageSize: number;
  private readonly maxPages: number;
  /** Group email -> ID, from look-ups and users' group listings; member calls use the ID. */
  private readonly groupIds = new Map<string, string>();

  constructor(options: GoogleWorkspaceConnectorOptions) {
    const { id, tokenUrl, baseUrl, customer, domain, orgUnitPath, userPageSize, groupPageSize, maxPages, ...transport } = options;
    this.id = id;
    this.api = new DirectoryApi({ ...transport, system: id, tokenUrl: tokenUrl ?? DEFAULT_TOKEN_URL, baseUrl: baseUrl ?? DEFAULT_BASE_URL });
    this.location = this.api.location;
    this.customer = customer ?? 'my_customer';
    this.domain = domain?.toLowerCase();
    this.orgUnitPath = orgUnitPath ?? '/';
    this.clientId = options.key.clientId ?? options.key.clientEmail;
    this.userPageSize = userPageSize ?? 500;
    this.groupPageSize = groupPageSize ?? 200;
    this.maxPages = maxPages ?? 1000;
  }

  /** users.list?maxResults=1: read-only, cheap, and it needs the admin role and the user scope every look-up needs. */
  async checkAccess(): Promise<void> {
    const res = await this.api.call('user', 'GET', USERS, { query: { customer: this.customer, maxResults: 1 } });
    this.api.parse(googleUserPageSchema, res, 'GET', USERS);
  }

  async findAccount(login: string): Promise<Account | null> {
    const label = `${USERS}/{userKey}`;
    const res = await this.api.call('user', 'GET', userPath(login), { accept: [404], label });
    if (res.status === 404) {
      if (this.api.isNotFound(res)) return null;
      throw this.api.toError('GET', label, res);
    }
    const user = this.api.parse(googleUserSchema, res, 'GET', label);
    // users.get also resolves aliases. An address moved onto another account as an alias (a common
    // hand-over when someone leaves) must not make that other person the one acted on.
    if (user.primaryEmail.toLowerCase() !== login.toLowerCase() && user.id !== login) {
      throw new ConnectorError('conflict', `${this.id}: the address looked up is an alias of user ${user.id}, not a primary address; refusing to act on that account`, this.id);
    }
    return toAccount(user);
  }

  async disableAccount(accountId: string): Promise<AccessNote> {
    await this.updateUser(accountId, { suspended: true });
    const user = await this.requireUser(accountId);
    if (user.suspended !== true) throw new ConnectorError('converging', `${this.id}: user ${accountId} is not suspended yet after suspension`, this.id);
    return { note: 'Suspended: the user can no longer sign in, and a fresh read shows suspended', detail: { suspended: true, archived: user.archived === true } };
  }

  async enableAccount(accountId: string): Promise<void> {
    await this.updateUser(accountId, { suspended: false });
    const user = await this.requireUser(accountId);
    if (user.suspended === true) throw new ConnectorError('converging', `${this.id}: user ${accountId} is still suspended after unsuspending`, this.id);
    if (user.archived === true) {
      throw new ConnectorError('bad_request', `${this.id}: user ${accountId} is archived; unarchiving needs a licence and is done in the Admin console`, this.id);
    }
  }

  killSessions(accountId: string): Promise<AccessNote> {
    return killGoogleSessions(this.api, accountId);
  }

  async createAccount(input: NewAccount): Promise<Account> {
    const body = {
      primaryEmail: input.login,
      name: { givenName: input.firstName, familyName: input.lastName },
      // Random and never kept: the person signs in through SSO, or IT sets a password with them.
      password: randomBytes(24).toString('base64url'),
      changePasswordAtNextLogin: true,
      orgUnitPath: this.orgUnitPath,
      suspended: !input.active,
    };
    // A 409 ("Entity already exists.", reason duplicate) is thrown as 'conflict'.
    const res = await this.api.call('user', 'POST', USERS, { body });
    return toAccount(this.api.parse(googleUserSchema, res, 'POST', USERS));
  }

  async *listAccounts(): AsyncIterable<Account[]> {
    let pageToken: string | undefined;
    for (;;) {
      const res = await this.api.call('user', 'GET', USERS, { query: { customer: this.customer, maxResults: this.userPageSize, pageToken } });
      const page = this.api.parse(googleUserPageSchema, res, 'GET', USERS);
      yield (page.users ?? []).map(toAccount);
      if (!page.nextPageToken) return;
      if (page.nextPageToken === pageToken) throw this.loopingPages(USERS);
      pageToken = page.nextPageToken;
    }
  }

  async listEntitlements(accountId: string): Promise<string[]> {
    const groups = await this.groupsOf(accountId);
    // An empty listing is believed only once the user is proven to exist.
    if (groups.length === 0) await this.requireUser(accountId);
    for (const g of groups) this.groupIds.set(g.email.toLowerCase(), g.id);
    return groups.map((g) => `group:${groupNameOfEmail(g.email, this.domain)}`).sort();
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    const { key, name } = this.groupKey(entitlement);
    const user = await this.requireUser(accountId);
    const groupId = await this.requireGroupId(key, name);
    const add = (id: string) => this.changeMember('POST', `${GROUPS}/${encodeURIComponent(id)}/members`, { email: user.primaryEmail, role: 'MEMBER' });
    if ((await add(groupId)) === 'done') return;
    // A 404 although the group was just found: it went away, or the name now belongs to a new group.
    const fresh = await this.explainMissing(accountId, key, name);
    if (fresh.id === groupId || (await add(fresh.id)) === 'missing') {
      throw new ConnectorError('unavailable', `${this.id}: group "${name}" answered 404 to adding a member although it and the user exist`, this.id, 404);
    }
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    const { key, name } = this.groupKey(entitlement);
    const used = this.groupIds.get(key) ?? key;
    const remove = (id: string) => this.changeMember('DELETE', `${GROUPS}/${encodeURIComponent(id)}/members/${encodeURIComponent(accountId)}`);
    if ((await remove(used)) === 'done') return;
    const fresh = await this.explainMissing(accountId, key, name);
    // With the user and the group both there, a 404 means the user was not a member: what a revoke wants.
    // Unless the ID used was stale (the group was recreated): then once more with the group's own ID.
    if (fresh.id !== used && used !== key) await remove(fresh.id);
  }

  /**
   * members.insert (409 duplicate: already a member) or members.delete; 'missing' for Google's own
   * 404, which explainMissing then tells apart.
   */
  private async changeMember(method: 'POST' | 'DELETE', path: string, body?: object): Promise<'done' | 'missing'> {
    const res = await this.api.call('member', method, path, { body, accept: [404, 409] });
    if (res.status === 404) {
      if (!this.api.isNotFound(res)) throw this.api.toError(method, path, res);
      return 'missing';
    }
    if (res.status === 409) {
      if (method === 'POST' && googleErrorReasons(res.body).includes('duplicate')) return 'done';
      throw this.api.toError(method, path, res);
    }
    if (method === 'POST') this.api.parse(googleMemberSchema, res, method, path);
    else this.api.expectNoContent(res, method, path);
    return 'done';
  }

  /** After Google's 404 to a membership call: a missing user is not_found, a missing group bad_request (naming it); else the group as it is now. */
  private async explainMissing(accountId: string, key: string, name: string): Promise<GoogleGroup> {
    await this.requireUser(accountId);
    this.groupIds.delete(key);
    const group = await this.readGroup(key);
    if (!group) throw this.noSuchGroup(name);
    return group;
  }

  /**
   * For each scope the connector needs, whether a token can be had for it: the token endpoint's
   * unauthorized_client means it is not granted to the service account's client ID under
   * domain-wide delegation. Other refusals (a bad key, an unknown admin) are thrown.
   */
  async checkPermissions(): Promise<string[]> {
    const problems: string[] = [];
    for (const name of Object.keys(SCOPES) as ScopeName[]) {
      try {
        await this.api.tokens[name].get();
      } catch (err) {
        if (!(err instanceof TokenRefusedError && err.oauthError === 'unauthorized_client')) throw err;
        problems.push(`${this.id}: scope ${SCOPES[name]} is not delegated to client ${this.clientId} (Admin console, Security > API controls > Domain-wide delegation); needed for ${SCOPE_PURPOSE[name]}`);
      }
    }
    return problems;
  }

  private groupKey(entitlement: string): { key: string; name: string } {
    const name = groupNameOf(this.id, entitlement);
    const key = groupKeyOf(name, this.domain);
    if (!key) throw new ConnectorError('bad_request', `${this.id}: group "${name}" has no domain and the system sets none (give group:name@domain or set domain)`, this.id);
    return { key, name };
  }

  private async requireGroupId(key: string, name: string): Promise<string> {
    const cached = this.groupIds.get(key);
    if (cached) return cached;
    const group = await this.readGroup(key);
    if (!group) throw this.noSuchGroup(name);
    return group.id;
  }

  private async readGroup(key: string): Promise<GoogleGroup | undefined> {
    const path = `${GROUPS}/${encodeURIComponent(key)}`;
    const res = await this.api.call('groupRead', 'GET', path, { accept: [404] });
    if (res.status === 404) {
      if (this.api.isNotFound(res)) return undefined;
      throw this.api.toError('GET', path, res);
    }
    const group = this.api.parse(googleGroupSchema, res, 'GET', path);
    this.groupIds.set(key, group.id);
    return group;
  }

  private noSuchGroup(name: string): ConnectorError {
    return new ConnectorError('bad_request', `${this.id}: no Google group "${name}"`, this.id);
  }

  /** Every group the user is a direct member of, every page followed; more than maxPages is an error, never a short list. */
  private async groupsOf(accountId: string): Promise<GoogleGroup[]> {
    const out: GoogleGroup[] = [];
    let pageToken: string | undefined;
    for (let page = 1; ; page++) {
      const res = await this.api.call('groupRead', 'GET', GROUPS, { query: { userKey: accountId, maxResults: this.groupPageSize, pageToken }, accept: [404] });
      if (res.status === 404) throw this.api.missingUserOr(res, 'GET', GROUPS, accountId);
      const parsed = this.api.parse(googleGroupPageSchema, res, 'GET', GROUPS);
      out.push(...(parsed.groups ?? []));
      if (!parsed.nextPageToken) return out;
      if (parsed.nextPageToken === pageToken) throw this.loopingPages(GROUPS);
      if (page >= this.maxPages) {
        throw new ConnectorError('unavailable', `${this.id}: GET ${GROUPS} still had more after ${this.maxPages} pages; refusing a partial list`, this.id);
      }
      pageToken = parsed.nextPageToken;
    }
  }

  private loopingPages(path: string): ConnectorError {
    return new ConnectorError('unavailable', `${this.id}: GET ${path} gave the same page token twice; refusing a listing that never ends`, this.id);
  }

  /** users.update with patch semantics (Google recommends it over users.patch). */
  private async updateUser(accountId: string, body: { suspended: boolean }): Promise<void> {
    const path = userPath(accountId);
    const res = await this.api.call('user', 'PUT', path, { body, accept: [404] });
    if (res.status === 404) throw this.api.missingUserOr(res, 'PUT', path, accountId);
    this.api.parse(googleUserSchema, res, 'PUT', path);
  }

  private async requireUser(accountId: string): Promise<GoogleUser> {
    const path = userPath(accountId);
    const res = await this.api.call('user', 'GET', path, { accept: [404] });
    if (res.status === 404) throw this.api.missingUserOr(res, 'GET', path, accountId);
    const user = this.api.parse(googleUserSchema, res, 'GET', path);
    if (user.id !== accountId) throw userNotFound(this.id, accountId);
    return user;
  }
}
