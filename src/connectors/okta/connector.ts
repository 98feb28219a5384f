/** Okta Management API connector: users, lifecycle, sessions and OKTA_GROUP memberships. */
import type { z } from 'zod';
import type { Account, Connector, NewAccount } from '../types';
import { groupNameOf } from '../entitlement';
import { oktaBucketOf } from './buckets';
import { ConnectorError } from '../errors';
import { JsonHttpClient, nextLink, type HttpMethod, type JsonResponse, type ConnectorTransport } from '../http';
import {
  OKTA_DISABLED_STATUSES,
  groupEntitlement,
  isOktaNotFound,
  oktaErrorCauses,
  oktaErrorCode,
  oktaErrorMessage,
  oktaGroupListSchema,
  oktaQuoted,
  oktaRetryAfterMs,
  oktaUserListSchema,
  oktaUserSchema,
  toAccount,
  type OktaGroup,
  type OktaUser,
} from './convert';

export interface OktaConnectorOptions extends ConnectorTransport {
  id: string;
  /** The org URL, e.g. https://acme.okta.com */
  baseUrl: string;
  /** An Okta API token (sent as `SSWS <token>`). */
  token: string;
  /** Page size for group searches and a user's groups (Okta recommends at most 200). */
  pageLimit?: number;
  /** Pages a listing may take before it is an error rather than a silently shortened list. */
  maxPages?: number;
  /** Page size of the listing of every user (Okta's default and most: 200). */
  accountPageLimit?: number;
  /** Pages the listing of every user may take (default 5,000: a million users at 200 a page). */
  maxAccountPages?: number;
}

/**
 * Lifecycle calls refuse a transition the user's current status does not allow with
 * 400 E0000001 ("Api validation failed") or 403 E0000038 ("not allowed in the user's current status").
 */
const WRONG_STATE: ReadonlySet<string> = new Set(['E0000001', 'E0000038']);
/** "Activation failed because the user is already active." */
const E_ALREADY_ACTIVE = 'E0000016';
const USERS = '/api/v1/users';
const GROUPS = '/api/v1/groups';

export class OktaConnector implements Connector {
  readonly type = 'okta';
  readonly id: string;
  readonly location: string;
  private readonly http: JsonHttpClient;
  private readonly pageLimit: number;
  private readonly maxPages: number;
  private readonly accountPageLimit: number;
  private readonly maxAccountPages: number;
  /** Group name -> id, learnt from searches and from users' group listings. */
  private readonly groupIds = new Map<string, string>();
  /** Searches under way, so leavers revoking the same group at once search for it once. */
  private readonly groupSearches = new Map<string, Promise<string | undefined>>();

  constructor(options: OktaConnectorOptions) {
    this.id = options.id;
    this.http = new JsonHttpClient({
      system: options.id,
      baseUrl: options.baseUrl,
      authorization: `SSWS ${options.token}`,
      mediaType: 'application/json',
      retryAfterMs: oktaRetryAfterMs,
      vendorMessage: oktaErrorMessage,
      isVendorNotFound: (body) => isOktaNotFound(404, body),
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      maxRetryAfterMs: options.maxRetryAfterMs,
      pacer: options.pacer,
      metrics: options.metrics,
      bucketOf: oktaBucketOf,
      log: options.log,
    });
    this.location = this.http.location;
    this.pageLimit = options.pageLimit ?? 200;
    this.maxPages = options.maxPages ?? 1000;
    this.accountPageLimit = options.accountPageLimit ?? options.pageLimit ?? 200;
    this.maxAccountPages = options.maxAccountPages ?? 5000;
  }

  /**
   * GET /api/v1/users?limit=1: documented, read-only and cheap, and it needs the same permission
   * (okta.users.read) every lookup here needs, for API tokens and OAuth service apps alike
   * (/users/me needs a person behind the token). Only a JSON array of users counts as Okta answering.
   */
  async checkAccess(): Promise<void> {
    const res = await this.http.get(USERS, { query: { limit: 1 } });
    this.parse(oktaUserListSchema, res, 'GET', USERS);
  }

  async findAccount(login: string): Promise<Account | null> {
    // Okta cannot take a login containing "/" in the path; such logins are looked up by filter.
    if (login.includes('/')) {
      const res = await this.http.get(USERS, { query: { filter: `profile.login eq ${oktaQuoted(login)}` } });
      const match = this.parse(oktaUserListSchema, res, 'GET', USERS).find((u) => sameLogin(u.profile.login, login));
      return match ? toAccount(match) : null;
    }
    const user = await this.readUser(login, '/{login}');
    // Okta also resolves a login's short name; only an exact login (or ID) match is this person.
    if (!user || !(sameLogin(user.profile.login, login) || user.id === login)) return null;
    return toAccount(user);
  }

  /**
   * GET /api/v1/users, `limit` a page, following Link rel="next" to the end. Okta leaves
   * DEPROVISIONED users out of this listing (they cannot sign in anyway). A page that is not a JSON
   * array of users, a next link seen before, or more than maxAccountPages pages is an error.
   */
  async *listAccounts(): AsyncIterable<Account[]> {
    let res = await this.http.get(USERS, { query: { limit: this.accountPageLimit } });
    const followed = new Set<string>();
    for (let page = 1; ; page++) {
      yield this.parse(oktaUserListSchema, res, 'GET', USERS).map(toAccount);
      const next = nextLink(res.headers);
      if (!next) return;
      if (followed.has(next)) throw new ConnectorError('unavailable', `${this.id}: GET ${USERS} handed back a next link it had already given (paging loops); refusing a partial list`, this.id);
      if (page >= this.maxAccountPages) {
        throw new ConnectorError('unavailable', `${this.id}: GET ${USERS} still had more after ${this.maxAccountPages} pages; refusing a partial list`, this.id);
      }
      followed.add(next);
      res = await this.http.get(next);
    }
  }

  async disableAccount(accountId: string): Promise<void> {
    const suspended = await this.lifecycle(accountId, 'suspend', {});
    let user = await this.requireUser(accountId);
    if (OKTA_DISABLED_STATUSES.has(user.status)) return;
    if (suspended === 'refused' && user.status !== 'ACTIVE') {
      // Okta suspends only ACTIVE users. Any other live status (pending activation, locked out,
      // password expired, in recovery) can still lead to a sign-in, so deactivation is the way to end it.
      await this.lifecycle(accountId, 'deactivate', { sendEmail: false });
      user = await this.requireUser(accountId);
      if (OKTA_DISABLED_STATUSES.has(user.status)) return;
    }
    throw new ConnectorError('converging', `${this.id}: user ${accountId} is still ${describeStatus(user)} after suspension`, this.id);
  }

  async killSessions(accountId: string): Promise<void> {
    // oauthTokens=true also revokes the OIDC/OAuth refresh and access tokens Okta issued to the user.
    const path = `${this.userPath(accountId)}/sessions`;
    const res = await this.http.request('DELETE', path, { query: { oauthTokens: true }, accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'DELETE', path, accountId);
    this.expectNoContent(res, 'DELETE', path);
  }

  async enableAccount(accountId: string): Promise<void> {
    const user = await this.requireUser(accountId);
    // A refusal means the status moved under us; the fresh read below decides.
    if (user.status === 'SUSPENDED') {
      await this.lifecycle(accountId, 'unsuspend', {});
    } else if (user.status === 'STAGED' || user.status === 'DEPROVISIONED') {
      await this.lifecycle(accountId, 'activate', { sendEmail: false });
    } else {
      return;
    }
    const after = await this.requireUser(accountId);
    if (OKTA_DISABLED_STATUSES.has(after.status) || after.status === 'STAGED') {
      throw new ConnectorError('converging', `${this.id}: user ${accountId} is still ${describeStatus(after)} after enabling`, this.id);
    }
  }

  async createAccount(input: NewAccount): Promise<Account> {
    const profile = { firstName: input.firstName, lastName: input.lastName, email: input.email, login: input.login };
    const res = await this.http.request('POST', USERS, { query: { activate: input.active }, body: { profile }, accept: [400] });
    if (res.status === 400) {
      const exists = oktaErrorCauses(res.body).some((c) => /already exists/i.test(c));
      const error = this.http.toError('POST', USERS, res);
      throw exists ? new ConnectorError('conflict', error.message, this.id, 400) : error;
    }
    return toAccount(this.parse(oktaUserSchema, res, 'POST', USERS));
  }

  async listEntitlements(accountId: string): Promise<string[]> {
    const path = `${this.userPath(accountId)}/groups`;
    const first = await this.http.get(path, { query: { limit: this.pageLimit }, accept: [404] });
    if (first.status === 404) throw this.missingOr(first, 'GET', path, accountId);
    const groups = await this.allPages(path, first);
    // BUILT_IN (Everyone) and APP_GROUP memberships are not ours to grant or revoke.
    const managed = groups.filter((g) => g.type === 'OKTA_GROUP');
    for (const g of managed) this.groupIds.set(g.profile.name, g.id);
    return managed.map(groupEntitlement).sort();
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    await this.changeMembership('PUT', accountId, groupNameOf(this.id, entitlement));
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    // Removing a user who is not a member answers 204: revoking what is not held succeeds.
    await this.changeMembership('DELETE', accountId, groupNameOf(this.id, entitlement));
  }

  /** PUT (add) or DELETE (remove) a membership. A 404 is told apart by re-reading the user, then the group. */
  private async changeMembership(method: 'PUT' | 'DELETE', accountId: string, name: string): Promise<void> {
    const groupId = await this.requireGroupId(name);
    const res = await this.http.request(method, memberPath(groupId, accountId), { accept: [404] });
    if (res.status !== 404) return this.expectNoContent(res, method, memberPath(groupId, accountId));
    if (!this.http.isVendorNotFound(res)) throw this.http.toError(method, memberPath(groupId, accountId), res);
    await this.requireUser(accountId);
    // The user is there, so the group went away; the name may now belong to a recreated group.
    this.groupIds.delete(name);
    const fresh = await this.requireGroupId(name, true);
    const retry = fresh === groupId ? res : await this.http.request(method, memberPath(fresh, accountId), { accept: [404] });
    if (retry.status === 404) {
      throw new ConnectorError('unavailable', `${this.id}: group "${name}" (${fresh}) answered 404 to a membership change although a search still finds it`, this.id, 404);
    }
    this.expectNoContent(retry, method, memberPath(fresh, accountId));
  }

  /** Okta answers these calls 204 with no body; anything else (a 200 page from a proxy) did not do them. */
  private expectNoContent(res: JsonResponse, method: HttpMethod, path: string): void {
    if (res.body === undefined) return;
    throw new ConnectorError('unavailable', `${this.id}: ${method} ${path} answered ${res.status} with a body where Okta sends none`, this.id, res.status);
  }

  /** POSTs a lifecycle operation; Okta refusing it for the user's current status is an answer, not an error. */
  private async lifecycle(accountId: string, op: string, query: Record<string, boolean>): Promise<'done' | 'refused'> {
    const path = `${this.userPath(accountId)}/lifecycle/${op}`;
    const res = await this.http.request('POST', path, { query, accept: [400, 403, 404] });
    if (res.status === 404) throw this.missingOr(res, 'POST', path, accountId);
    if (res.status === 400 || res.status === 403) {
      const code = oktaErrorCode(res.body);
      if (code && (WRONG_STATE.has(code) || code === E_ALREADY_ACTIVE)) return 'refused';
      throw this.http.toError('POST', path, res);
    }
    return 'done';
  }

  /** not_found when Okta itself said the user is missing; otherwise the outage the 404 stands for. */
  private missingOr(res: JsonResponse, method: HttpMethod, path: string, accountId: string): ConnectorError {
    if (!this.http.isVendorNotFound(res)) return this.http.toError(method, path, res);
    return new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
  }

  /** `fresh`: search anew, not joining a search that may have begun before the group changed. */
  private async requireGroupId(name: string, fresh = false): Promise<string> {
    const id = fresh ? await this.searchGroup(name) : await this.groupId(name);
    if (!id) throw new ConnectorError('bad_request', `${this.id}: no Okta group named "${name}"`, this.id);
    return id;
  }

  /**
   * Exact-name look-up with `search=profile.name eq "…"`, every page followed. Not `q`: that is a
   * name-prefix match capped at 300 results without paging, so a group among many with a shared
   * prefix can be missed. Search values are case-insensitive; an exact-case match is preferred.
   */
  private async groupId(name: string): Promise<string | undefined> {
    const cached = this.groupIds.get(name);
    if (cached) return cached;
    let search = this.groupSearches.get(name);
    if (!search) {
      search = this.searchGroup(name).finally(() => this.groupSearches.delete(name));
      this.groupSearches.set(name, search);
    }
    return search;
  }

  private async searchGroup(name: string): Promise<string | undefined> {
    const first = await this.http.get(GROUPS, { query: { search: `profile.name eq ${oktaQuoted(name)}`, limit: this.pageLimit } });
    const found = (await this.allPages(GROUPS, first)).filter((g) => g.profile.name.toLowerCase() === name.toLowerCase());
    const exact = found.filter((g) => g.profile.name === name);
    const candidates = exact.length > 0 ? exact : found;
    const group = candidates.find((g) => g.type === 'OKTA_GROUP') ?? candidates[0];
    if (!group) return undefined;
    if (group.type !== 'OKTA_GROUP') {
      throw new ConnectorError('bad_request', `${this.id}: group "${name}" is ${group.type}; only OKTA_GROUP memberships can be managed`, this.id);
    }
    this.groupIds.set(name, group.id);
    return group.id;
  }

  /** The user, or null only when Okta itself answered "not found". */
  private async readUser(idOrLogin: string, label?: string): Promise<OktaUser | null> {
    const path = this.userPath(idOrLogin);
    const res = await this.http.get(path, { accept: [404], ...(label ? { label: `${USERS}${label}` } : {}) });
    if (res.status === 404) {
      if (this.http.isVendorNotFound(res)) return null;
      throw this.http.toError('GET', label ? `${USERS}${label}` : path, res);
    }
    return this.parse(oktaUserSchema, res, 'GET', label ? `${USERS}${label}` : path);
  }

  private async requireUser(accountId: string): Promise<OktaUser> {
    const user = await this.readUser(accountId);
    if (!user) throw new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
    return user;
  }

  /** Every page from `first` on, following Link rel="next"; more than maxPages is an error, never a short list. */
  private async allPages(path: string, first: JsonResponse): Promise<OktaGroup[]> {
    const out: OktaGroup[] = [];
    let res = first;
    for (let page = 1; ; page++) {
      out.push(...this.parse(oktaGroupListSchema, res, 'GET', path));
      const next = nextLink(res.headers);
      if (!next) return out;
      if (page >= this.maxPages) {
        throw new ConnectorError('unavailable', `${this.id}: GET ${path} still had more after ${this.maxPages} pages; refusing a partial list`, this.id);
      }
      res = await this.http.get(next);
    }
  }

  private userPath(idOrLogin: string): string {
    return `${USERS}/${encodeURIComponent(idOrLogin)}`;
  }

  private parse<S extends z.ZodType>(schema: S, res: JsonResponse, method: HttpMethod, path: string): z.infer<S> {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.id}: ${method} ${path} answered ${res.status} with an unexpected body`, this.id, res.status);
  }
}

function memberPath(groupId: string, accountId: string): string {
  return `${GROUPS}/${encodeURIComponent(groupId)}/users/${encodeURIComponent(accountId)}`;
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function describeStatus(user: OktaUser): string {
  return user.transitioningToStatus ? `${user.status} (transitioning to ${user.transitioningToStatus})` : user.status;
}
