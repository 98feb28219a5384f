/** Okta Management API connector: users, lifecycle, sessions and OKTA_GROUP memberships. */
import type { z } from 'zod';
import type { Account, Connector, NewAccount } from '../types';
import { groupNameOf } from '../entitlement';
import { ConnectorError } from '../errors';
import { JsonHttpClient, type HttpMethod, type JsonResponse } from '../http';
import {
  OKTA_DISABLED_STATUSES,
  groupEntitlement,
  nextLink,
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

export interface OktaConnectorOptions {
  id: string;
  /** The org URL, e.g. https://acme.okta.com */
  baseUrl: string;
  /** An Okta API token (sent as `SSWS <token>`). */
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
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
  /** Group name -> id; names are looked up once per connector instance. */
  private readonly groupIds = new Map<string, string>();

  constructor(options: OktaConnectorOptions) {
    this.id = options.id;
    this.http = new JsonHttpClient({
      system: options.id,
      baseUrl: options.baseUrl,
      authorization: `SSWS ${options.token}`,
      mediaType: 'application/json',
      retryAfterMs: oktaRetryAfterMs,
      vendorMessage: oktaErrorMessage,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    this.location = this.http.location;
  }

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
    const user = await this.readUser(login);
    // Okta also resolves a login's short name; only an exact login (or ID) match is this person.
    if (!user || !(sameLogin(user.profile.login, login) || user.id === login)) return null;
    return toAccount(user);
  }

  async disableAccount(accountId: string): Promise<void> {
    const suspendPath = `${this.userPath(accountId)}/lifecycle/suspend`;
    const suspended = await this.lifecycle(suspendPath, {});
    if (suspended === 'gone') return;
    let user = await this.readUser(accountId);
    if (!user || OKTA_DISABLED_STATUSES.has(user.status)) return;
    if (suspended === 'refused' && user.status !== 'ACTIVE') {
      // Okta suspends only ACTIVE users. Any other live status (pending activation, locked out,
      // password expired, in recovery) can still lead to a sign-in, so deactivation is the way to end it.
      await this.lifecycle(`${this.userPath(accountId)}/lifecycle/deactivate`, { sendEmail: false });
      user = await this.readUser(accountId);
      if (!user || OKTA_DISABLED_STATUSES.has(user.status)) return;
    }
    throw new ConnectorError('converging', `${this.id}: user ${accountId} is still ${describeStatus(user)} after suspension`, this.id);
  }

  async killSessions(accountId: string): Promise<void> {
    // oauthTokens=true also revokes the OIDC/OAuth refresh and access tokens Okta issued to the user.
    await this.http.request('DELETE', `${this.userPath(accountId)}/sessions`, { query: { oauthTokens: true }, accept: [404] });
  }

  async enableAccount(accountId: string): Promise<void> {
    const user = await this.readUser(accountId);
    if (!user) throw this.missing(accountId);
    // A refusal means the status moved under us; the fresh read below decides.
    if (user.status === 'SUSPENDED') {
      await this.lifecycle(`${this.userPath(accountId)}/lifecycle/unsuspend`, {});
    } else if (user.status === 'STAGED' || user.status === 'DEPROVISIONED') {
      await this.lifecycle(`${this.userPath(accountId)}/lifecycle/activate`, { sendEmail: false });
    } else {
      return;
    }
    const after = await this.readUser(accountId);
    if (!after) throw this.missing(accountId);
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
    const groups = await this.listAll(`${this.userPath(accountId)}/groups`);
    // BUILT_IN (Everyone) and APP_GROUP memberships are not ours to grant or revoke.
    return groups.filter((g) => g.type === 'OKTA_GROUP').map(groupEntitlement).sort();
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    const name = groupNameOf(this.id, entitlement);
    let groupId = await this.groupId(name);
    if (!groupId) throw new ConnectorError('bad_request', `${this.id}: no Okta group named "${name}"`, this.id);
    let res = await this.putMember(groupId, accountId);
    if (res.status === 404) {
      // The cached ID may belong to a group that was deleted and recreated under the same name.
      this.groupIds.delete(name);
      const fresh = await this.groupId(name);
      if (!fresh) throw new ConnectorError('bad_request', `${this.id}: no Okta group named "${name}"`, this.id);
      if (fresh !== groupId) res = await this.putMember((groupId = fresh), accountId);
      if (res.status === 404) throw this.http.toError('PUT', memberPath(groupId, accountId), res);
    }
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    const name = groupNameOf(this.id, entitlement);
    const groupId = await this.groupId(name);
    if (!groupId) return; // no such group: nobody holds it
    const res = await this.http.request('DELETE', memberPath(groupId, accountId), { accept: [404] });
    if (res.status === 404) this.groupIds.delete(name);
  }

  /** POSTs a lifecycle operation; Okta refusing it for the user's current status is an answer, not an error. */
  private async lifecycle(path: string, query: Record<string, boolean>): Promise<'done' | 'refused' | 'gone'> {
    const res = await this.http.request('POST', path, { query, accept: [400, 403, 404] });
    if (res.status === 404) return 'gone';
    if (res.status === 400 || res.status === 403) {
      const code = oktaErrorCode(res.body);
      if (code && (WRONG_STATE.has(code) || code === E_ALREADY_ACTIVE)) return 'refused';
      throw this.http.toError('POST', path, res);
    }
    return 'done';
  }

  private missing(accountId: string): ConnectorError {
    return new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
  }

  private putMember(groupId: string, accountId: string): Promise<JsonResponse> {
    return this.http.request('PUT', memberPath(groupId, accountId), { accept: [404] });
  }

  /** Exact-name lookup among Okta's `q` (name prefix) matches; undefined when there is none. */
  private async groupId(name: string): Promise<string | undefined> {
    const cached = this.groupIds.get(name);
    if (cached) return cached;
    const res = await this.http.get(GROUPS, { query: { q: name } });
    const group = this.parse(oktaGroupListSchema, res, 'GET', GROUPS).find((g) => g.profile.name === name);
    if (!group) return undefined;
    if (group.type !== 'OKTA_GROUP') {
      throw new ConnectorError('bad_request', `${this.id}: group "${name}" is ${group.type}; only OKTA_GROUP memberships can be managed`, this.id);
    }
    this.groupIds.set(name, group.id);
    return group.id;
  }

  private async readUser(idOrLogin: string): Promise<OktaUser | null> {
    const path = this.userPath(idOrLogin);
    const res = await this.http.get(path, { accept: [404] });
    return res.status === 404 ? null : this.parse(oktaUserSchema, res, 'GET', path);
  }

  private async listAll(path: string): Promise<OktaGroup[]> {
    const out: OktaGroup[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < 1000; page++) {
      const res = await this.http.get(next);
      out.push(...this.parse(oktaGroupListSchema, res, 'GET', path));
      next = nextLink(res.headers);
    }
    return out;
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

function describeStatus(user: OktaUser | null): string {
  if (!user) return 'missing';
  return user.transitioningToStatus ? `${user.status} (transitioning to ${user.transitioningToStatus})` : user.status;
}
