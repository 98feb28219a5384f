/**
 * SCIM 2.0 service provider connector: Users (active flag) and Groups (members). What differs
 * between servers (paths, paging, member look-ups, PATCH forms) comes from the system's profile.
 * SCIM has no sessions resource, so there is no session kill: deactivating the user is how a SCIM
 * service provider ends access, and the leaver does that as this system's disable step.
 */
import type { z } from 'zod';
import type { ScimProfileName } from './profiles/names';
import type { Account, Connector, NewAccount } from '../types';
import { groupNameOf } from '../entitlement';
import { ConnectorError } from '../errors';
import { JsonHttpClient, type HttpMethod, type JsonResponse, type ConnectorTransport } from '../http';
import {
  SCIM_MEDIA_TYPE,
  isActive,
  isScimNotFound,
  newUserBody,
  scimErrorMessage,
  scimErrorType,
  scimGroupSchema,
  scimQuoted,
  scimRetryAfterMs,
  scimUserSchema,
  toAccount,
  type ScimGroup,
  type ScimUser,
} from './convert';
import { listPageOf, type PagingLimits } from './paging';
import { createScimProfile, type ScimApi, type ScimProfile } from './profiles';

export interface ScimConnectorOptions extends ConnectorTransport {
  id: string;
  /** The SCIM base URL including its version path, e.g. https://scim.example/scim/v2 */
  baseUrl: string;
  /** Bearer token. */
  token: string;
  /** Which server's documented dialect to speak (default rfc7644). */
  profile?: ScimProfileName;
  /** Results asked for per page (default 100). */
  pageSize?: number;
  /** Pages a listing may take before it is an error rather than a silently shortened list (default 1000). */
  maxPages?: number;
  /** Pages the listing of every account may take (default 10,000: a million accounts at 100 a page). */
  maxAccountPages?: number;
}

export class ScimConnector implements Connector {
  readonly type = 'scim';
  readonly id: string;
  readonly location: string;
  readonly profile: ScimProfile;
  private readonly http: JsonHttpClient;
  private readonly api: ScimApi;
  private readonly groupIds = new Map<string, string>();
  private readonly accountLimits: PagingLimits;

  constructor(options: ScimConnectorOptions) {
    this.id = options.id;
    this.profile = createScimProfile(options.profile ?? 'rfc7644');
    this.http = new JsonHttpClient({
      system: options.id,
      baseUrl: options.baseUrl,
      authorization: `Bearer ${options.token}`,
      mediaType: SCIM_MEDIA_TYPE,
      retryAfterMs: scimRetryAfterMs,
      vendorMessage: scimErrorMessage,
      isVendorNotFound: isScimNotFound,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      maxRetryAfterMs: options.maxRetryAfterMs,
      pacer: options.pacer,
      metrics: options.metrics,
      log: options.log,
    });
    this.location = this.http.location;
    const limits: PagingLimits = { pageSize: options.pageSize ?? 100, maxPages: options.maxPages ?? 1000 };
    this.accountLimits = { pageSize: limits.pageSize, maxPages: options.maxAccountPages ?? 10_000 };
    this.api = {
      http: this.http,
      limits,
      requireUser: (accountId) => this.requireUser(accountId),
      parseGroup: (item, path) => this.parse(scimGroupSchema, { status: 200, headers: new Headers(), body: item }, 'GET', path),
    };
  }

  /**
   * GET /Users?count=1: it needs the bearer token (RFC 7644 lets /ServiceProviderConfig go without
   * one) and only a real SCIM server answers it with a ListResponse.
   */
  async checkAccess(): Promise<void> {
    const path = this.profile.usersPath;
    const res = await this.http.get(path, { query: { count: 1 } });
    listPageOf(this.id, res, path);
  }

  async findAccount(login: string): Promise<Account | null> {
    const path = this.profile.usersPath;
    const items = await this.profile.list(this.api, path, { filter: `userName eq ${scimQuoted(login)}` });
    const users = items.map((item) => this.parse(scimUserSchema, { status: 200, headers: new Headers(), body: item }, 'GET', path));
    // userName is case-insensitive in RFC 7643; guard against servers that answer looser matches.
    const user = users.find((u) => u.userName.toLowerCase() === login.toLowerCase());
    return user ? toAccount(user) : null;
  }

  /** Every user, one page at a time, paged as the profile's server pages (startIndex or cursor). */
  async *listAccounts(): AsyncIterable<Account[]> {
    const path = this.profile.usersPath;
    for await (const items of this.profile.pages(this.api, path, {}, this.accountLimits)) {
      yield items.map((item) => toAccount(this.parse(scimUserSchema, { status: 200, headers: new Headers(), body: item }, 'GET', path)));
    }
  }

  async disableAccount(accountId: string): Promise<void> {
    await this.setActive(accountId, false);
  }

  async enableAccount(accountId: string): Promise<void> {
    await this.setActive(accountId, true);
  }

  async createAccount(input: NewAccount): Promise<Account> {
    const path = this.profile.usersPath;
    const res = await this.http.request('POST', path, { body: newUserBody(input) });
    if (res.body === undefined) {
      const found = await this.findAccount(input.login);
      if (found) return found;
    }
    return toAccount(this.parse(scimUserSchema, res, 'POST', path));
  }

  async listEntitlements(accountId: string): Promise<string[]> {
    const groups = await this.profile.groupsOf(this.api, accountId);
    for (const g of groups) this.groupIds.set(g.displayName, g.id);
    return [...new Set(groups.map((g) => g.displayName))].map((name) => `group:${name}`).sort();
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    await this.changeMembership('add', accountId, groupNameOf(this.id, entitlement));
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    await this.changeMembership('remove', accountId, groupNameOf(this.id, entitlement));
    // Servers answer a removal with 204 whether or not the member existed: only a fresh read of
    // the account tells "not held" from "no such account".
    await this.requireUser(accountId);
  }

  /** PATCH a group's members. A 404 or 400 is told apart by re-reading the user, then the group. */
  private async changeMembership(op: 'add' | 'remove', accountId: string, name: string): Promise<void> {
    const body = op === 'add' ? this.profile.addMemberBody(accountId) : this.profile.removeMemberBody(accountId);
    const groupId = await this.requireGroupId(name);
    const res = await this.patchGroup(groupId, body);
    if (res.status < 300) return;
    // RFC 7644 3.5.2.2: a remove whose filter matches nothing is 400 noTarget, i.e. not a member.
    if (res.status === 400 && op === 'remove' && scimErrorType(res.body) === 'noTarget') return;
    if (res.status === 404 && !this.http.isVendorNotFound(res)) throw this.http.toError('PATCH', this.groupPath(groupId), res);
    // A 400 may be the server refusing an unknown member: a missing account is not_found.
    await this.requireUser(accountId);
    if (res.status === 400) throw this.http.toError('PATCH', this.groupPath(groupId), res);
    // The account is there, so the group went away; the name may now belong to a recreated group.
    this.groupIds.delete(name);
    const fresh = await this.requireGroupId(name);
    const retry = fresh === groupId ? res : await this.patchGroup(fresh, body);
    if (retry.status >= 300 && !(retry.status === 400 && op === 'remove' && scimErrorType(retry.body) === 'noTarget')) {
      throw new ConnectorError('unavailable', `${this.id}: group "${name}" (${fresh}) refused a membership change although a search still finds it`, this.id, retry.status);
    }
  }

  private patchGroup(groupId: string, body: Record<string, unknown>): Promise<JsonResponse> {
    return this.http.request('PATCH', this.groupPath(groupId), { body, accept: [400, 404] });
  }

  /** PATCH `active`, then confirm with a fresh read. */
  private async setActive(accountId: string, active: boolean): Promise<void> {
    const path = this.userPath(accountId);
    const patched = await this.http.request('PATCH', path, { body: this.profile.activeBody(active), accept: [404] });
    if (patched.status === 404) throw this.missingOr(patched, 'PATCH', path, accountId);
    const user = await this.requireUser(accountId);
    if (isActive(user) !== active) {
      const state = active ? 'inactive' : 'active';
      throw new ConnectorError('converging', `${this.id}: user ${accountId} still reads as ${state}`, this.id);
    }
  }

  private async requireGroupId(name: string): Promise<string> {
    const id = await this.groupId(name);
    if (!id) throw new ConnectorError('bad_request', `${this.id}: no SCIM group with displayName "${name}"`, this.id);
    return id;
  }

  private async groupId(name: string): Promise<string | undefined> {
    const cached = this.groupIds.get(name);
    if (cached) return cached;
    const path = this.profile.groupsPath;
    const items = await this.profile.list(this.api, path, this.profile.groupByNameQuery(name));
    const groups: ScimGroup[] = items.map((item) => this.api.parseGroup(item, path));
    const group = groups.find((g) => g.displayName === name) ?? groups.find((g) => g.displayName.toLowerCase() === name.toLowerCase());
    if (group) this.groupIds.set(name, group.id);
    return group?.id;
  }

  private async requireUser(accountId: string): Promise<ScimUser> {
    const path = this.userPath(accountId);
    const res = await this.http.get(path, { accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'GET', path, accountId);
    return this.parse(scimUserSchema, res, 'GET', path);
  }

  /** not_found when the server itself said the user is missing; otherwise the outage the 404 stands for. */
  private missingOr(res: JsonResponse, method: HttpMethod, path: string, accountId: string): ConnectorError {
    if (!this.http.isVendorNotFound(res)) return this.http.toError(method, path, res);
    return new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
  }

  private userPath(id: string): string {
    return `${this.profile.usersPath}/${encodeURIComponent(id)}`;
  }

  private groupPath(id: string): string {
    return `${this.profile.groupsPath}/${encodeURIComponent(id)}`;
  }

  private parse<S extends z.ZodType>(schema: S, res: JsonResponse, method: HttpMethod, path: string): z.infer<S> {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.id}: ${method} ${path} answered ${res.status} with an unexpected body`, this.id, res.status);
  }
}
