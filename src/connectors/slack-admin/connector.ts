/**
 * Slack Enterprise Grid connector: accounts through Slack's SCIM API (the org's user directory),
 * sessions through the Admin API (admin.users.session.*), user groups of one workspace through
 * usergroups.*. One org-level admin user token serves both APIs.
 *
 * Accounts are found by work email with SCIM's filter, not users.lookupByEmail: that method
 * answers users_not_found for a deactivated user, which would make a disabled leaver look gone.
 */
import type { Account, AccessNote, Connector, NewAccount } from '../types';
import { ConnectorError, UnsupportedError } from '../errors';
import type { ConnectorLog, ConnectorMetrics } from '../http';
import type { Pacer } from '../pacer';
import { activeBody, authTestSchema, newUserBody, scimQuoted, toAccount, usergroupHandleOf } from './convert';
import { SlackScim } from './scim';
import { SessionResets } from './sessions';
import { RateBuckets, type Rate, type Tier } from './tiers';
import { Usergroups } from './usergroups';
import { SlackWebApi } from './web-api';

export interface SlackAdminConnectorOptions {
  id: string;
  token: string;
  /** Web API base, e.g. https://slack.com/api */
  apiUrl: string;
  /** SCIM base, e.g. https://api.slack.com/scim/v2 */
  scimUrl: string;
  /** The workspace whose user groups are managed (and whose sessions are listed to confirm a reset). */
  teamId: string;
  /** Our share of Slack's org-wide SCIM limits (default 0.25). */
  scimShare?: number;
  /** Session kills arriving within this window go as one resetBulk (ms, default 100). */
  coalesceWindowMs?: number;
  /** How long a kill waits for Slack to show the sessions gone (ms, default 30 s). */
  sessionCheckTimeoutMs?: number;
  sessionCheckIntervalMs?: number;
  /** Page size of SCIM user listings (default 500). */
  pageSize?: number;
  /** Overrides of Slack's tier rates (tests). */
  tiers?: Partial<Record<Tier, Rate>>;
  timeoutMs?: number;
  fetch?: typeof fetch;
  maxRetryAfterMs?: number;
  pacer?: Pacer;
  log?: ConnectorLog;
  metrics?: ConnectorMetrics;
}

/** What the connector's work needs of the token; `admin` is SCIM's. */
export const REQUIRED_SCOPES = ['admin', 'admin.users:read', 'admin.users:write', 'usergroups:read', 'usergroups:write'] as const;

export class SlackAdminConnector implements Connector {
  readonly type = 'slack-admin';
  readonly id: string;
  readonly location: string;
  private readonly web: SlackWebApi;
  private readonly scim: SlackScim;
  private readonly sessions: SessionResets;
  private readonly groups: Usergroups;
  private readonly pageSize: number;

  constructor(options: SlackAdminConnectorOptions) {
    this.id = options.id;
    const buckets = new RateBuckets();
    const common = { system: options.id, token: options.token, buckets, timeoutMs: options.timeoutMs, fetch: options.fetch, maxRetryAfterMs: options.maxRetryAfterMs, pacer: options.pacer, log: options.log, metrics: options.metrics };
    this.web = new SlackWebApi({ ...common, apiUrl: options.apiUrl, tiers: options.tiers });
    this.scim = new SlackScim({ ...common, scimUrl: options.scimUrl, share: options.scimShare ?? 0.25 });
    this.location = this.web.location;
    this.sessions = new SessionResets(this.web, {
      system: options.id,
      teamId: options.teamId,
      windowMs: options.coalesceWindowMs ?? 100,
      checkTimeoutMs: options.sessionCheckTimeoutMs ?? 30_000,
      checkIntervalMs: options.sessionCheckIntervalMs ?? 500,
    });
    this.groups = new Usergroups(this.web, options.id, options.teamId);
    this.pageSize = options.pageSize ?? 500;
  }

  /** resetBulk calls made so far (a layoff's kills should take few). */
  get bulkResets(): number {
    return this.sessions.bulkCalls;
  }

  /** auth.test for the Web API, and one SCIM page: both APIs answered as Slack and took the token. */
  async checkAccess(): Promise<void> {
    await this.authTest();
    await this.scim.page(1, 1);
  }

  async checkPermissions(): Promise<string[]> {
    const { headers } = await this.authTest();
    const granted = new Set((headers.get('x-oauth-scopes') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    return REQUIRED_SCOPES.filter((s) => !granted.has(s)).map((s) => `${this.id}: the token lacks scope ${s} (${purpose[s]})`);
  }

  async findAccount(login: string): Promise<Account | null> {
    const page = await this.scim.page(1, 2, `email eq ${scimQuoted(login)}`);
    const matches = page.users.map(toAccount).filter((a) => a.email?.toLowerCase() === login.toLowerCase());
    if (matches.length > 1) throw new ConnectorError('conflict', `${this.id}: ${matches.length} Slack users share one work email (${matches.map((m) => m.id).join(', ')})`, this.id);
    return matches[0] ?? null;
  }

  async killSessions(accountId: string): Promise<AccessNote> {
    return this.sessions.reset(accountId);
  }

  /** SCIM DELETE deactivates on Slack (nothing is erased); a fresh read must show it inactive. */
  async disableAccount(accountId: string): Promise<AccessNote> {
    const before = await this.scim.requireUser(accountId);
    if (before.active) await this.scim.deactivate(accountId);
    const after = await this.scim.requireUser(accountId);
    if (after.active) throw new ConnectorError('converging', `${this.id}: user ${accountId} still reads as active after SCIM deactivation`, this.id);
    return {
      note: before.active
        ? 'Slack deactivated the account through SCIM (DELETE /Users/{id}): it can no longer sign in, and Slack signs out its sessions; a fresh read shows it inactive'
        : 'the account was already deactivated in Slack; a fresh read shows it inactive',
      detail: { scimDeactivated: before.active },
    };
  }

  async enableAccount(accountId: string): Promise<void> {
    const before = await this.scim.requireUser(accountId);
    if (before.active) return;
    await this.scim.patch(accountId, activeBody(true));
    const after = await this.scim.requireUser(accountId);
    if (!after.active) throw new ConnectorError('converging', `${this.id}: user ${accountId} still reads as inactive after SCIM reactivation`, this.id);
  }

  async createAccount(input: NewAccount): Promise<Account> {
    return toAccount(await this.scim.create(newUserBody(input)));
  }

  async *listAccounts(): AsyncIterable<Account[]> {
    for (let startIndex = 1, seen = 0; ; ) {
      const page = await this.scim.page(startIndex, this.pageSize);
      seen += page.users.length;
      if (page.users.length > 0) yield page.users.map(toAccount);
      if (seen >= page.totalResults) return;
      if (page.users.length === 0) {
        throw new ConnectorError('unavailable', `${this.id}: SCIM GET /Users ended after ${seen} of ${page.totalResults} users; refusing a partial list`, this.id);
      }
      startIndex += page.users.length;
    }
  }

  async listEntitlements(accountId: string): Promise<string[]> {
    await this.scim.requireUser(accountId);
    return (await this.groups.of(accountId)).map((h) => `usergroup:${h}`);
  }

  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    const handle = this.handleOf(entitlement);
    await this.scim.requireUser(accountId);
    await this.groups.add(accountId, handle);
  }

  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    const handle = this.handleOf(entitlement);
    await this.scim.requireUser(accountId);
    await this.groups.remove(accountId, handle);
  }

  private handleOf(entitlement: string): string {
    const handle = usergroupHandleOf(entitlement);
    if (!handle) throw new UnsupportedError(this.id, `entitlement "${entitlement}" (only usergroup:<handle>)`);
    return handle;
  }

  private async authTest() {
    const result = await this.web.call('auth.test');
    this.web.parse('auth.test', authTestSchema, result);
    return result;
  }
}

const purpose: Record<(typeof REQUIRED_SCOPES)[number], string> = {
  admin: 'SCIM: find, create, deactivate and reactivate accounts',
  'admin.users:read': 'admin.users.session.list: confirm sessions ended',
  'admin.users:write': 'admin.users.session.reset and resetBulk: end sessions',
  'usergroups:read': 'usergroups.list and usergroups.users.list: read memberships',
  'usergroups:write': 'usergroups.users.update: grant and revoke memberships',
};
