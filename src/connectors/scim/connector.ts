/** SCIM 2.0 service provider connector: Users (active flag) and Groups (members). */
import type { z } from 'zod';
import type { Account, Connector, NewAccount } from '../types';
import { groupNameOf } from '../entitlement';
import { ConnectorError } from '../errors';
import { JsonHttpClient, type HttpMethod, type JsonResponse } from '../http';
import {
  SCIM_MEDIA_TYPE,
  isActive,
  newUserBody,
  patchOp,
  scimErrorMessage,
  scimErrorType,
  scimGroupSchema,
  scimListSchema,
  scimQuoted,
  scimRetryAfterMs,
  scimUserSchema,
  toAccount,
  type ScimUser,
} from './convert';

export interface ScimConnectorOptions {
  id: string;
  /** The SCIM base URL including its version path, e.g. https://scim.example/scim/v2 */
  baseUrl: string;
  /** Bearer token. */
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 1000;

export class ScimConnector implements Connector {
  readonly type = 'scim';
  readonly id: string;
  readonly location: string;
  private readonly http: JsonHttpClient;
  private readonly groupIds = new Map<string, string>();
  /** Cleared after the server refuses `members.value` filters; we then read the user's `groups` instead. */
  private memberFilterWorks = true;

  constructor(options: ScimConnectorOptions) {
    this.id = options.id;
    this.http = new JsonHttpClient({
      system: options.id,
      baseUrl: options.baseUrl,
      authorization: `Bearer ${options.token}`,
      mediaType: SCIM_MEDIA_TYPE,
      retryAfterMs: scimRetryAfterMs,
      vendorMessage: scimErrorMessage,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    this.location = this.http.location;
  }

  async checkAccess(): Promise<void> {
    const res = await this.http.get('/Users', { query: { count: 1 } });
    this.parse(scimListSchema, res, 'GET', '/Users');
  }

  async findAccount(login: string): Promise<Account | null> {
    const users = await this.listAll('/Users', scimUserSchema, { filter: `userName eq ${scimQuoted(login)}` });
    // userName is case-insensitive in RFC 7643; guard against servers that answer looser matches.
    const user = users.find((u) => u.userName.toLowerCase() === login.toLowerCase());
    return user ? toAccount(user) : null;
  }

  async disableAccount(accountId: string): Promise<void> {
    await this.setActive(accountId, false);
  }

  async enableAccount(accountId: string): Promise<void> {
    await this.setActive(accountId, true);
  }

  async createAccount(input: NewAccount): Promise<Account> {
    const res = await this.http.request('POST', '/Users', { body: newUserBody(input) });
    if (res.body === undefined) {
      const found = await this.findAccount(input.login);
      if (found) return found;
    }
    return toAccount(this.parse(scimUserSchema, res, 'POST', '/Users'));
  }

  async listEntitlements(accountId: string): Promise<string[]> {
    if (this.memberFilterWorks) {
      const groups = await this.listAll('/Groups', scimGroupSchema, {
        filter: `members.value eq ${scimQuoted(accountId)}`,
        attributes: 'displayName',
      }, [400, 501]);
      if (groups) return entitlementsOf(groups.map((g) => g.displayName));
      this.memberFilterWorks = false;
    }
    return entitlementsOf(await this.groupNamesFromUser(accountId));
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    const name = groupNameOf(this.id, entitlement);
    const add = patchOp([{ op: 'add', path: 'members', value: [{ value: accountId }] }]);
    let groupId = await this.requireGroupId(name);
    let res = await this.http.request('PATCH', groupPath(groupId), { body: add, accept: [404] });
    if (res.status === 404) {
      // The cached ID may belong to a group that was deleted and recreated under the same name.
      this.groupIds.delete(name);
      const fresh = await this.requireGroupId(name);
      if (fresh !== groupId) res = await this.http.request('PATCH', groupPath((groupId = fresh)), { body: add, accept: [404] });
      if (res.status === 404) throw this.http.toError('PATCH', groupPath(groupId), res);
    }
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    const name = groupNameOf(this.id, entitlement);
    const groupId = await this.groupId(name);
    if (!groupId) return; // no such group: nobody holds it
    const remove = patchOp([{ op: 'remove', path: `members[value eq ${scimQuoted(accountId)}]` }]);
    const path = groupPath(groupId);
    const res = await this.http.request('PATCH', path, { body: remove, accept: [400, 404] });
    if (res.status === 404) this.groupIds.delete(name);
    // RFC 7644 3.5.2: a remove whose filter matches nothing is answered 400 noTarget, i.e. not a member.
    if (res.status === 400 && scimErrorType(res.body) !== 'noTarget') throw this.http.toError('PATCH', path, res);
  }

  /** PATCH `active`, then confirm with a fresh read; a missing user counts as disabled. */
  private async setActive(accountId: string, active: boolean): Promise<void> {
    const path = userPath(accountId);
    const body = patchOp([{ op: 'replace', path: 'active', value: active }]);
    const patched = await this.http.request('PATCH', path, { body, accept: [404] });
    const user = patched.status === 404 ? null : await this.readUser(accountId);
    if (!user) {
      if (!active) return;
      throw new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
    }
    if (isActive(user) !== active) {
      const state = active ? 'inactive' : 'active';
      throw new ConnectorError('converging', `${this.id}: user ${accountId} still reads as ${state}`, this.id);
    }
  }

  private async groupNamesFromUser(accountId: string): Promise<string[]> {
    const user = await this.readUser(accountId);
    if (!user) throw new ConnectorError('not_found', `${this.id}: user ${accountId} not found`, this.id, 404);
    // Indirect memberships come through nested groups; they are not grants we can revoke here.
    const direct = (user.groups ?? []).filter((g) => g.type === undefined || g.type.toLowerCase() === 'direct');
    const names: string[] = [];
    for (const ref of direct) {
      if (ref.display) {
        names.push(ref.display);
        continue;
      }
      const res = await this.http.get(groupPath(ref.value), { query: { attributes: 'displayName' }, accept: [404] });
      if (res.status !== 404) names.push(this.parse(scimGroupSchema, res, 'GET', groupPath(ref.value)).displayName);
    }
    return names;
  }

  private async requireGroupId(name: string): Promise<string> {
    const id = await this.groupId(name);
    if (!id) throw new ConnectorError('bad_request', `${this.id}: no SCIM group with displayName "${name}"`, this.id);
    return id;
  }

  private async groupId(name: string): Promise<string | undefined> {
    const cached = this.groupIds.get(name);
    if (cached) return cached;
    const groups = await this.listAll('/Groups', scimGroupSchema, {
      filter: `displayName eq ${scimQuoted(name)}`,
      excludedAttributes: 'members',
    });
    const group = groups.find((g) => g.displayName === name) ?? groups.find((g) => g.displayName.toLowerCase() === name.toLowerCase());
    if (group) this.groupIds.set(name, group.id);
    return group?.id;
  }

  private async readUser(accountId: string): Promise<ScimUser | null> {
    const path = userPath(accountId);
    const res = await this.http.get(path, { accept: [404] });
    return res.status === 404 ? null : this.parse(scimUserSchema, res, 'GET', path);
  }

  /** Every page of a list query; with `refuse`, answers with those statuses yield undefined. */
  private listAll<S extends z.ZodType>(path: string, schema: S, query: Record<string, string>): Promise<z.infer<S>[]>;
  private listAll<S extends z.ZodType>(path: string, schema: S, query: Record<string, string>, refuse: number[]): Promise<z.infer<S>[] | undefined>;
  private async listAll<S extends z.ZodType>(path: string, schema: S, query: Record<string, string>, refuse: number[] = []): Promise<z.infer<S>[] | undefined> {
    const out: z.infer<S>[] = [];
    for (let page = 0, startIndex = 1; page < MAX_PAGES; page++) {
      const res = await this.http.get(path, { query: { ...query, startIndex, count: PAGE_SIZE }, accept: refuse });
      if (refuse.includes(res.status)) return undefined;
      const list = this.parse(scimListSchema, res, 'GET', path);
      const items = (list.Resources ?? []).map((item) => this.parse(schema, { ...res, body: item }, 'GET', path));
      out.push(...items);
      if (items.length === 0 || startIndex - 1 + items.length >= list.totalResults) break;
      startIndex += items.length;
    }
    return out;
  }

  private parse<S extends z.ZodType>(schema: S, res: JsonResponse, method: HttpMethod, path: string): z.infer<S> {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.id}: ${method} ${path} answered ${res.status} with an unexpected body`, this.id, res.status);
  }
}

function entitlementsOf(groupNames: string[]): string[] {
  return [...new Set(groupNames)].map((name) => `group:${name}`).sort();
}

function userPath(id: string): string {
  return `/Users/${encodeURIComponent(id)}`;
}

function groupPath(id: string): string {
  return `/Groups/${encodeURIComponent(id)}`;
}
