/**
 * Microsoft Entra ID through Microsoft Graph v1.0, app-only (client credentials): users and their
 * accountEnabled flag, sign-in session revocation, and group memberships (groups named by
 * displayName). Several revocations go in one JSON $batch.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { AccessNote, Account, Connector, NewAccount } from '../types';
import { groupNameOf } from '../entitlement';
import { ConnectorError } from '../errors';
import type { Pacer } from '../pacer';
import { JsonHttpClient, type HttpMethod, type JsonResponse, type ConnectorTransport } from '../http';
import {
  GROUP_ODATA_TYPE,
  GROUP_SELECT,
  USER_SELECT,
  graphErrorMessage,
  graphGroupSchema,
  graphRetryAfterMs,
  graphUserSchema,
  isAlreadyMember,
  isDuplicateUpn,
  isDynamic,
  isGraphNotFound,
  isGraphThrottled,
  memberRefPath,
  notRemovable,
  memberOfPageSchema,
  odataQuoted,
  toAccount,
  userPageSchema,
  type GraphGroup,
  type GraphUser,
} from './convert';
import { revokeInBatch } from './batch-revoke';
import { GraphGroups } from './groups';
import { allItems, followPages, parseAnswer } from './paging';
import { missingPermissions } from './permissions';
import { GraphTokenSource, rolesOf } from './token';

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com/v1.0';

export interface GraphConnectorOptions extends ConnectorTransport {
  id: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authority?: string;
  graphUrl?: string;
  /** $top for account listings (Graph's most for users: 999). */
  pageSize?: number;
  /** Longest Retry-After waited for inline (default 5 s); longer ones are thrown as rate_limited. */
  maxInlineWaitMs?: number;
}

const USERS = '/users';
const revokeAnswerSchema = z.object({ value: z.boolean() });

export class MicrosoftGraphConnector implements Connector {
  readonly type = 'microsoft-graph';
  readonly id: string;
  readonly location: string;
  /** For the batch revocation (./batch-revoke.ts). */
  readonly http: JsonHttpClient;
  readonly groups: GraphGroups;
  readonly pacer?: Pacer;
  readonly maxInlineWaitMs?: number;
  private readonly tokens: GraphTokenSource;
  private readonly directoryObjects: string;
  private readonly pageSize: number;

  constructor(options: GraphConnectorOptions) {
    this.id = options.id;
    const graphUrl = (options.graphUrl ?? DEFAULT_GRAPH_URL).replace(/\/+$/, '');
    this.tokens = new GraphTokenSource({
      system: options.id,
      authority: options.authority ?? DEFAULT_AUTHORITY,
      tenantId: options.tenantId,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    this.http = new JsonHttpClient({
      system: options.id,
      baseUrl: graphUrl,
      authorization: this.tokens,
      mediaType: 'application/json',
      retryAfterMs: graphRetryAfterMs,
      vendorMessage: graphErrorMessage,
      isVendorNotFound: isGraphNotFound,
      isRateLimited: isGraphThrottled,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      maxRetryAfterMs: options.maxRetryAfterMs,
      maxInlineWaitMs: options.maxInlineWaitMs,
      pacer: options.pacer,
      metrics: options.metrics,
      log: options.log,
    });
    // One Graph serves every tenant: the evidence's "where" names the tenant too.
    this.location = `${this.http.location} (tenant ${options.tenantId})`;
    this.groups = new GraphGroups(this.http);
    this.pacer = options.pacer;
    this.maxInlineWaitMs = options.maxInlineWaitMs;
    this.directoryObjects = `${graphUrl}/directoryObjects`;
    this.pageSize = options.pageSize ?? 999;
  }

  /** GET /users?$top=1: read-only, cheap, and it needs the token and User.Read.All like every look-up here. */
  async checkAccess(): Promise<void> {
    const res = await this.http.get(USERS, { query: { $select: USER_SELECT, $top: 1 } });
    parseAnswer(this.id, userPageSchema, res, 'GET', USERS);
  }

  /**
   * By userPrincipalName or mail: the engine knows a work email, and in many tenants the UPN is not
   * the address people mail (another suffix, or the onmicrosoft.com domain). A UPN match wins (UPNs
   * are unique); one mail match is taken; several accounts with that mail are refused, not guessed.
   */
  async findAccount(login: string): Promise<Account | null> {
    const q = odataQuoted(login);
    const label = `${USERS}?$filter=userPrincipalName or mail eq {login}`;
    const res = await this.http.get(USERS, { query: { $filter: `userPrincipalName eq ${q} or mail eq ${q}`, $select: USER_SELECT }, label });
    const users = await allItems(followPages(this.http, userPageSchema, res, USERS, { label }));
    const wanted = login.toLowerCase();
    const byUpn = users.filter((u) => u.userPrincipalName.toLowerCase() === wanted);
    if (byUpn.length === 1) return toAccount(byUpn[0]!);
    const byMail = users.filter((u) => u.mail?.toLowerCase() === wanted);
    if (byMail.length > 1) {
      throw new ConnectorError('conflict', `${this.id}: ${byMail.length} Entra accounts (${byMail.map((u) => u.id).join(', ')}) have this address as mail; refusing to guess`, this.id);
    }
    return byMail[0] ? toAccount(byMail[0]) : null;
  }

  async disableAccount(accountId: string): Promise<AccessNote> {
    await this.setEnabled(accountId, false);
    return {
      note: 'Entra account disabled (accountEnabled false): new sign-ins and token refreshes are refused; access tokens already issued last until they expire',
      detail: { accountEnabled: false },
    };
  }

  async enableAccount(accountId: string): Promise<void> {
    await this.setEnabled(accountId, true);
  }

  async killSessions(accountId: string): Promise<AccessNote> {
    const path = `${this.userPath(accountId)}/revokeSignInSessions`;
    const res = await this.http.request('POST', path, { accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'POST', path, accountId);
    // Graph documents 200 with {value: true}; a known issue has it answer 204 instead.
    if (res.status !== 204 && !parseAnswer(this.id, revokeAnswerSchema, res, 'POST', path).value) {
      throw new ConnectorError('unavailable', `${this.id}: POST ${path} answered ${res.status} without confirming the revocation`, this.id, res.status);
    }
    return {
      note:
        "Entra revoked the user's refresh tokens and session cookies (signInSessionsValidFromDateTime reset); Graph documents that this can take a few minutes to take effect, so the account is disabled in the same pipeline right after",
      detail: { signInSessionsRevoked: true, revocationDelay: 'a few minutes (documented by Microsoft Graph)' },
    };
  }

  async createAccount(input: NewAccount): Promise<Account> {
    const displayName = `${input.firstName} ${input.lastName}`.trim() || mailNicknameOf(input.login);
    const body = {
      accountEnabled: input.active,
      displayName,
      givenName: input.firstName,
      surname: input.lastName,
      mailNickname: mailNicknameOf(input.login),
      userPrincipalName: input.login,
      mail: input.email,
      passwordProfile: { forceChangePasswordNextSignIn: true, password: randomPassword() },
    };
    const res = await this.http.request('POST', USERS, { body, accept: [400] });
    if (res.status === 400) {
      const error = this.http.toError('POST', USERS, res);
      throw isDuplicateUpn(res.body) ? new ConnectorError('conflict', error.message, this.id, 400) : error;
    }
    const user = parseAnswer(this.id, graphUserSchema, res, 'POST', USERS);
    // accountEnabled comes back only on $select; the create's own answer may lack it.
    return toAccount({ ...user, accountEnabled: user.accountEnabled ?? input.active });
  }

  async *listAccounts(): AsyncIterable<Account[]> {
    const first = await this.http.get(USERS, { query: { $select: USER_SELECT, $top: this.pageSize } });
    for await (const page of followPages(this.http, userPageSchema, first, USERS)) yield page.map(toAccount);
  }

  async checkPermissions(): Promise<string[]> {
    const roles = rolesOf(await this.tokens.token());
    if (!roles) return [`${this.id}: the access token's roles claim could not be read, so its application permissions are unknown`];
    return missingPermissions(this.id, roles);
  }

  /** Direct group memberships (directory roles and administrative units are not entitlements here). */
  async listEntitlements(accountId: string): Promise<string[]> {
    const path = `${this.userPath(accountId)}/memberOf`;
    const first = await this.http.get(path, { query: { $select: GROUP_SELECT }, accept: [404] });
    if (first.status === 404) throw this.missingOr(first, 'GET', path, accountId);
    const objects = await allItems(followPages(this.http, memberOfPageSchema, first, path));
    const groups = objects.filter((o) => o['@odata.type'] === GROUP_ODATA_TYPE).map((o) => parseAnswer(this.id, graphGroupSchema, { ...first, body: o }, 'GET', path));
    const unnamed = groups.find((g) => !g.displayName);
    if (unnamed) throw new ConnectorError('unavailable', `${this.id}: GET ${path} listed group ${unnamed.id} without a displayName`, this.id);
    this.groups.learn(groups);
    return groups.map((g) => `group:${g.displayName}`).sort();
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    const name = groupNameOf(this.id, entitlement);
    let group = await this.groups.require(name);
    for (let attempt = 0; ; attempt++) {
      if (isDynamic(group)) {
        throw new ConnectorError('bad_request', `${this.id}: group "${name}" (${group.id}) has dynamic membership; its rule decides its members`, this.id);
      }
      const path = `/groups/${encodeURIComponent(group.id)}/members/$ref`;
      const res = await this.http.request('POST', path, { body: { '@odata.id': `${this.directoryObjects}/${accountId}` }, accept: [400, 404] });
      if (res.status === 400 && isAlreadyMember(res.body)) return;
      if (res.status === 400) throw this.http.toError('POST', path, res);
      if (res.status !== 404) return;
      const fresh = await this.after404(res, 'POST', path, accountId, name, group);
      if (!fresh || attempt > 0) throw new ConnectorError('unavailable', `${this.id}: POST ${path} answered 404 although user ${accountId} and the group exist`, this.id, 404);
      group = fresh;
    }
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    const name = groupNameOf(this.id, entitlement);
    let group = await this.groups.require(name);
    for (let attempt = 0; ; attempt++) {
      if (isDynamic(group)) throw notRemovable(this.id, name, group);
      const path = memberRefPath(group.id, accountId);
      const res = await this.http.request('DELETE', path, { accept: [404] });
      if (res.status !== 404) return;
      // Graph answers the same 404 for "not a member", "no such user" and "no such group": told apart by reading.
      const fresh = await this.after404(res, 'DELETE', path, accountId, name, group);
      if (!fresh) return;
      if (attempt > 0) throw new ConnectorError('unavailable', `${this.id}: DELETE ${path} answered 404 for a group that a search still finds`, this.id, 404);
      group = fresh;
    }
  }

  /** Several revocations in JSON $batch calls of up to 20 (./batch-revoke.ts). */
  revokeEntitlements(accountId: string, entitlements: string[]): Promise<(Error | undefined)[]> {
    return revokeInBatch(this, accountId, entitlements);
  }

  /**
   * After a membership change answered 404: not_found when the user is gone; undefined when the user
   * and the group are both there (the user is not a member); the group now holding the name when
   * the group went away (bad_request when none does).
   */
  async after404(res: JsonResponse, method: HttpMethod, path: string, accountId: string, name: string, group: GraphGroup): Promise<GraphGroup | undefined> {
    if (!this.http.isVendorNotFound(res)) throw this.http.toError(method, path, res);
    await this.requireUser(accountId);
    if (await this.groups.byId(group.id)) return undefined;
    const fresh = await this.groups.require(name, true);
    if (fresh.id === group.id) throw new ConnectorError('unavailable', `${this.id}: group ${group.id} is found by name but not by id`, this.id);
    return fresh;
  }

  async requireUser(accountId: string): Promise<GraphUser> {
    const user = await this.readUser(accountId);
    if (!user) throw new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
    return user;
  }

  /** PATCH accountEnabled, then a fresh read must show it. */
  private async setEnabled(accountId: string, enabled: boolean): Promise<void> {
    const path = this.userPath(accountId);
    const res = await this.http.request('PATCH', path, { body: { accountEnabled: enabled }, accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'PATCH', path, accountId);
    const user = await this.requireUser(accountId);
    if (user.accountEnabled !== enabled) {
      throw new ConnectorError('converging', `${this.id}: user ${accountId} still reads accountEnabled ${String(user.accountEnabled)} after setting it ${String(enabled)}`, this.id);
    }
  }

  /** The user, or null only when Graph itself answered Request_ResourceNotFound. */
  private async readUser(accountId: string): Promise<GraphUser | null> {
    const path = this.userPath(accountId);
    const res = await this.http.get(path, { query: { $select: USER_SELECT }, accept: [404] });
    if (res.status === 404) {
      if (this.http.isVendorNotFound(res)) return null;
      throw this.http.toError('GET', path, res);
    }
    return parseAnswer(this.id, graphUserSchema, res, 'GET', path);
  }

  private missingOr(res: JsonResponse, method: HttpMethod, path: string, accountId: string): ConnectorError {
    if (!this.http.isVendorNotFound(res)) return this.http.toError(method, path, res);
    return new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
  }

  private userPath(accountId: string): string {
    return `${USERS}/${encodeURIComponent(accountId)}`;
  }
}

/** mailNickname: the login's local part without the characters Entra refuses there, at most 64. */
function mailNicknameOf(login: string): string {
  const local = login.split('@')[0] ?? '';
  const cleaned = local.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g, '').slice(0, 64);
  return cleaned || `user${randomInt(100_000, 1_000_000)}`;
}

/** 20 random characters with each of Entra's four character classes, never kept or shown. */
function randomPassword(): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#$%^&*-_=+?'];
  const all = classes.join('');
  const chars = classes.map((c) => c[randomInt(c.length)]!);
  while (chars.length < 20) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
