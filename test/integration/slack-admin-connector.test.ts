/**
 * What the shared contract does not cover for Slack Enterprise Grid: a layoff's session kills
 * coalesced into resetBulk and each confirmed by a fresh session list, a bulk job that does not
 * finish in time, Slack's ok:false errors mapped to typed ones, its rate limits (Retry-After, the
 * per-method tiers) and missing scopes. Assertions read the peer's state.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemSchema } from '../../src/config/file';
import { slackAdminConnector as descriptor } from '../../src/connectors/slack-admin';
import { ConnectorError } from '../../src/connectors/errors';
import { RateBuckets } from '../../src/connectors/slack-admin/tiers';
import { ALL_SCOPES, startSlackAdminPeer, type SlackAdminPeer } from '../peers/slack-admin-peer';
import { slackAdminConnector, slackAdminReadOnlyGroupsToken, slackAdminToken } from '../harness/pairs/slack-admin';

let peer: SlackAdminPeer;
let seq = 0;
const email = () => `leaver.${++seq}.${Date.now()}@acme.test`;
const calls = (method: string) => peer.requests().filter((r) => r.path === `/api/${method}`);

beforeAll(async () => {
  peer = await startSlackAdminPeer({
    tokens: { [slackAdminToken]: ALL_SCOPES, [slackAdminReadOnlyGroupsToken]: ALL_SCOPES.filter((s) => s !== 'usergroups:write') },
    bulkDelayMs: 150,
  });
});
afterAll(async () => {
  await peer?.close();
});

describe('session kills in a layoff', () => {
  it('coalesces 50 concurrent kills into resetBulk, each resolving only once the peer shows that user signed out', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken, { coalesceWindowMs: 100, sessionCheckTimeoutMs: 10_000 });
    const users = Array.from({ length: 50 }, () => peer.seedUser({ email: email(), sessions: 2 }));
    // Someone who stays signed in: a live organisation's listing is never empty.
    const colleague = peer.seedUser({ email: email(), sessions: 3 });
    const bulkBefore = calls('admin.users.session.resetBulk').length;
    const singleBefore = calls('admin.users.session.reset').length;
    const listsBefore = calls('admin.users.session.list').length;
    const resolved = new Set<string>();
    const settledWithSessions: string[] = [];
    peer.stallBulk(true);
    const kills = users.map((u) =>
      connector.killSessions(u.id).then((note) => {
        resolved.add(u.id);
        // At the moment this caller's promise resolves, the peer must show its own user signed out.
        if (peer.org.users.get(u.id)!.sessions.length > 0) settledWithSessions.push(u.id);
        return note;
      }),
    );
    const orgReads = () => calls('admin.users.session.list').slice(listsBefore).filter((r) => !(r.body as { user_id?: string }).user_id);
    try {
      // The job is enqueued but has not run: the organisation's sessions have been read (twice), none may have resolved.
      await expect.poll(() => orgReads().length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      expect(resolved.size).toBe(0);
    } finally {
      peer.stallBulk(false);
    }
    const notes = await Promise.all(kills);
    expect(settledWithSessions).toEqual([]);
    for (const u of users) expect(peer.org.users.get(u.id)!.sessions).toEqual([]);
    expect(peer.org.users.get(colleague.id)!.sessions).toHaveLength(3);
    const bulks = calls('admin.users.session.resetBulk').slice(bulkBefore);
    expect(bulks.length).toBeGreaterThanOrEqual(1);
    expect(bulks.length).toBeLessThanOrEqual(2);
    expect(calls('admin.users.session.reset').length).toBe(singleBefore);
    const sent = bulks.flatMap((b) => (b.body as { user_ids: string[] }).user_ids);
    expect(sent.sort()).toEqual(users.map((u) => u.id).sort());
    for (const note of notes) expect(note).toMatchObject({ detail: { sessionResetMethod: 'admin.users.session.resetBulk', sessionCheck: 'organisation' } });
    // The batch is confirmed by organisation-wide listings, not by a Tier 2 read per user.
    const lists = calls('admin.users.session.list').slice(listsBefore);
    expect(lists.filter((r) => (r.body as { user_id?: string }).user_id)).toEqual([]);
    expect(lists.length).toBeLessThan(users.length);
  });

  it('confirms a batch user by user when the organisation has more pages of sessions than users waiting', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken, { coalesceWindowMs: 100, sessionCheckTimeoutMs: 10_000 });
    // 2,500 sessions elsewhere in the organisation: three pages of 1,000 for two users waiting.
    for (let i = 0; i < 5; i++) peer.seedUser({ email: email(), sessions: 500 });
    const users = [peer.seedUser({ email: email(), sessions: 1 }), peer.seedUser({ email: email(), sessions: 1 })];
    const listsBefore = calls('admin.users.session.list').length;
    const notes = await Promise.all(users.map((u) => connector.killSessions(u.id)));
    for (const u of users) expect(peer.org.users.get(u.id)!.sessions).toEqual([]);
    for (const note of notes) expect(note.detail).not.toHaveProperty('sessionCheck');
    const perUser = calls('admin.users.session.list').slice(listsBefore).filter((r) => (r.body as { user_id?: string }).user_id);
    expect(new Set(perUser.map((r) => (r.body as { user_id: string }).user_id))).toEqual(new Set(users.map((u) => u.id)));
  });

  it('an organisation listing with no session at all proves nothing: each user of the batch is read alone', async () => {
    const empty = await startSlackAdminPeer({ tokens: { [slackAdminToken]: ALL_SCOPES }, bulkDelayMs: 50 });
    try {
      const connector = slackAdminConnector(empty, slackAdminToken, { coalesceWindowMs: 100, sessionCheckTimeoutMs: 10_000 });
      const users = [empty.seedUser({ email: email(), sessions: 1 }), empty.seedUser({ email: email(), sessions: 2 })];
      const notes = await Promise.all(users.map((u) => connector.killSessions(u.id)));
      for (const note of notes) expect(note.detail).not.toHaveProperty('sessionCheck');
      const lists = empty.requests().filter((r) => r.path === '/api/admin.users.session.list');
      expect(new Set(lists.map((r) => (r.body as { user_id?: string }).user_id).filter(Boolean))).toEqual(new Set(users.map((u) => u.id)));
    } finally {
      await empty.close();
    }
  });

  it('a lone kill goes through admin.users.session.reset', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const u = peer.seedUser({ email: email(), sessions: 3 });
    const before = calls('admin.users.session.resetBulk').length;
    const note = await connector.killSessions(u.id);
    expect(note).toMatchObject({ detail: { sessionResetMethod: 'admin.users.session.reset' } });
    expect(calls('admin.users.session.resetBulk').length).toBe(before);
    const reset = calls('admin.users.session.reset').at(-1)!;
    expect(reset.body).toMatchObject({ user_id: u.id, mobile_only: 'false', web_only: 'false' });
    expect(peer.org.users.get(u.id)!.sessions).toEqual([]);
  });

  it('a resetBulk that has not finished in time is converging (retryable), and the kill is not recorded as done', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken, { sessionCheckTimeoutMs: 300 });
    const users = [peer.seedUser({ email: email(), sessions: 1 }), peer.seedUser({ email: email(), sessions: 1 })];
    peer.stallBulk(true);
    try {
      const results = await Promise.all(users.map((u) => connector.killSessions(u.id).catch((e: unknown) => e)));
      for (const r of results) expect(r).toMatchObject({ code: 'converging', retryable: true });
      for (const u of users) expect(peer.org.users.get(u.id)!.sessions.length).toBe(1);
    } finally {
      peer.stallBulk(false);
    }
  });

  it('one unknown user in a burst fails on its own: the others are still signed out', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const users = [peer.seedUser({ email: email(), sessions: 2 }), peer.seedUser({ email: email(), sessions: 2 })];
    const results = await Promise.all([...users.map((u) => u.id), 'W0GONE000'].map((id) => connector.killSessions(id).then(() => 'ok', (e: unknown) => e)));
    expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(results[2]).toMatchObject({ code: 'not_found' });
    for (const u of users) expect(peer.org.users.get(u.id)!.sessions).toEqual([]);
  });
});

describe("Slack's ok:false answers", () => {
  const table: [string, string, ConnectorError['code']][] = [
    ['auth.test', 'not_authed', 'unauthorized'],
    ['auth.test', 'invalid_auth', 'unauthorized'],
    ['auth.test', 'token_revoked', 'unauthorized'],
    ['auth.test', 'account_inactive', 'unauthorized'],
    ['auth.test', 'fatal_error', 'unavailable'],
    ['auth.test', 'internal_error', 'unavailable'],
    ['auth.test', 'service_unavailable', 'unavailable'],
    ['auth.test', 'request_timeout', 'unavailable'],
    ['auth.test', 'ratelimited', 'rate_limited'],
    ['auth.test', 'something_new', 'bad_request'],
  ];
  it.each(table)('%s answering %s is %s', async (method, error, code) => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    peer.failMethodNext(method, error);
    const thrown = await connector.checkAccess().catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect(thrown).toMatchObject({ code, status: 200 });
    expect((thrown as Error).message).toContain(error);
    expect((thrown as Error).message).not.toContain(slackAdminToken);
  });

  it('user_not_found from admin.users.session.reset is not_found, naming the ID only', async () => {
    const error = await slackAdminConnector(peer, slackAdminToken).killSessions('W0NOBODY1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_found', retryable: false });
    expect((error as Error).message).toContain('user_not_found');
  });

  it('no_such_subteam for a user group that went away is bad_request naming its handle', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    peer.seedGroup('ephemeral');
    const u = peer.seedUser({ email: email() });
    await connector.grantEntitlement(u.id, 'usergroup:ephemeral');
    peer.org.groups.delete(peer.org.groupByHandle('ephemeral')!.id);
    const error = await connector.grantEntitlement(u.id, 'usergroup:ephemeral').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request' });
    expect((error as Error).message).toContain('ephemeral');
  });

  it('an answer without {ok} (a proxy page with HTTP 200) is unavailable, never an empty listing', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken, { apiUrl: `${peer.scimUrl}/not-the-web-api` });
    const u = peer.seedUser({ email: email() });
    await expect(connector.listEntitlements(u.id)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('missing_scope names the scope Slack says is needed; checkPermissions names it too', async () => {
    const connector = slackAdminConnector(peer, slackAdminReadOnlyGroupsToken);
    peer.seedGroup('oncall');
    const u = peer.seedUser({ email: email() });
    const error = await connector.grantEntitlement(u.id, 'usergroup:oncall').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized', retryable: false });
    expect((error as Error).message).toContain('missing_scope');
    expect((error as Error).message).toContain('usergroups:write');
    expect(await connector.checkPermissions()).toEqual([expect.stringContaining('usergroups:write')]);
    expect(peer.groupsOf(u.email)).toEqual([]);
  });
});

describe('rate limits', () => {
  it('waits the Retry-After of a Web API 429 (ratelimited) and succeeds', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const before = peer.requests().length;
    peer.rateLimitNext(1);
    expect(await connector.checkPermissions()).toEqual([]);
    const seen = peer.requests().slice(before);
    expect(seen.map((r) => [r.path, r.status])).toEqual([
      ['/api/auth.test', 429],
      ['/api/auth.test', 200],
    ]);
    expect(seen[1]!.at).toBeGreaterThanOrEqual(seen[0]!.retryAt!);
  });

  it('a Retry-After longer than the inline wait is thrown as rate_limited with that wait', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    peer.rateLimitNext(30);
    await expect(connector.checkAccess()).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 30_000, retryable: true });
  });

  it('paces each method at its tier: a Tier 2 method past its burst waits for a token', async () => {
    let now = 0;
    const slept: number[] = [];
    const buckets = new RateBuckets({ now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) });
    const tier2 = { perMinute: 20, burst: 2 };
    for (let i = 0; i < 4; i++) await buckets.take('web admin.users.session.list', tier2);
    // Two go at once, then one every 3 s (20 a minute).
    expect(slept).toEqual([3000, 3000]);
    expect(now).toBe(6000);
    await buckets.take('web usergroups.list', tier2);
    expect(now).toBe(6000);
  });

  it('takes a conservative share of the org-wide SCIM limits by default', () => {
    const config = descriptor.configSchema.parse({ id: 'slack', type: 'slack-admin', tokenEnv: 'SLACK_ADMIN_TOKEN', teamId: 'T0GRIDWS1' });
    expect(config).toMatchObject({ scimShare: 0.25, apiUrl: 'https://slack.com/api', scimUrl: 'https://api.slack.com/scim/v2', coalesceWindow: 100, sessionCheckTimeout: 30_000 });
    expect(() => descriptor.configSchema.parse({ ...config, teamId: 'acme' })).toThrow(/workspace ID/);
    expect(() => descriptor.configSchema.parse({ ...config, extra: 1 })).toThrow();
    // The catalog line puts it in jml.config.yaml's systems[].
    expect(systemSchema.parse({ id: 'slack', type: 'slack-admin', tokenEnv: 'SLACK_ADMIN_TOKEN', teamId: 'T0GRIDWS1', coalesceWindow: '50ms' })).toMatchObject({ type: 'slack-admin', coalesceWindow: 50 });
  });
});

describe('user groups', () => {
  it('revoking the only member of a user group is not_removable with the reason, and Slack is not asked to empty it', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const u = peer.seedUser({ email: email() });
    peer.org.addGroup('solo', [u.id]);
    const before = peer.writes().length;
    const error = await connector.revokeEntitlement(u.id, 'usergroup:solo').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_removable' });
    expect((error as Error).message).toMatch(/only member.*usergroups\.disable/);
    expect(peer.writes().length).toBe(before);
    expect(peer.groupsOf(u.email)).toEqual(['solo']);
  });

  it('the peer refuses an update that would empty a user group, as Slack does', async () => {
    const res = await fetch(`${peer.apiUrl}/usergroups.users.update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slackAdminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ usergroup: peer.org.groupByHandle('solo')!.id, users: '', team_id: 'T0GRIDWS1' }).toString(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: false, error: 'no_users_provided' });
  });

  it('grant and revoke leave the other members as they were', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const [a, b] = [peer.seedUser({ email: email() }), peer.seedUser({ email: email() })];
    const group = peer.org.addGroup('sre', [a.id]);
    await connector.grantEntitlement(b.id, 'usergroup:sre');
    expect(group.users.sort()).toEqual([a.id, b.id].sort());
    await connector.revokeEntitlement(a.id, 'usergroup:sre');
    expect(group.users).toEqual([b.id]);
  });
});

describe('accounts', () => {
  it('a deactivated account is still found (SCIM), as disabled: users.lookupByEmail would answer users_not_found', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const who = email();
    const u = peer.seedUser({ email: who, sessions: 1 });
    const note = await connector.disableAccount(u.id);
    expect(note).toMatchObject({ detail: { scimDeactivated: true } });
    expect(peer.requests().filter((r) => r.method === 'DELETE' && r.path === `/scim/v2/Users/${u.id}`)).toHaveLength(1);
    expect(await connector.findAccount(who)).toMatchObject({ id: u.id, status: 'disabled' });
  });

  it('SCIM errors never carry the email looked up', async () => {
    const connector = slackAdminConnector(peer, slackAdminToken);
    const who = email();
    peer.failNext(500);
    const error = await connector.findAccount(who).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 500 });
    expect((error as Error).message).not.toContain(who);
    expect((error as Error).message).not.toContain('acme.test');
  });

  it('an empty list that is not a SCIM ListResponse (a gateway) is unavailable, never "no such user"', async () => {
    const gateway = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalResults: 0, Resources: [] })));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const connector = slackAdminConnector(peer, slackAdminToken, { scimUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/scim/v2` });
      await expect(connector.findAccount(email())).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      gateway.close();
    }
  });

  it('lists a large org page by page without holding it whole', async () => {
    for (let i = 0; i < 1200; i++) peer.seedUser({ email: `bulk.${i}.${Date.now()}@acme.test` });
    const connector = slackAdminConnector(peer, slackAdminToken, { pageSize: 250 });
    let pages = 0;
    let largest = 0;
    const ids = new Set<string>();
    for await (const page of connector.listAccounts()) {
      pages++;
      largest = Math.max(largest, page.length);
      for (const a of page) ids.add(a.id);
    }
    expect(ids.size).toBe(peer.org.users.size);
    expect(largest).toBeLessThanOrEqual(250);
    expect(pages).toBe(Math.ceil(peer.org.users.size / 250));
  });

  it('unknown Web API methods are refused as Slack does', async () => {
    const res = await fetch(`${peer.apiUrl}/admin.users.nope`, { method: 'POST', headers: { authorization: `Bearer ${slackAdminToken}` } });
    expect(await res.json()).toMatchObject({ ok: false, error: 'unknown_method' });
  });
});
