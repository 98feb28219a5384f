/**
 * What the shared contract does not cover for GitHub: how a leaver's access ends without a session
 * kill (credential authorizations, invitations, membership, and the note that says so), GitHub's
 * two rate limits, SAML identity edge cases, GraphQL errors answered with 200, team
 * synchronisation, permissions by token kind, and the peer refusing what GitHub refuses.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GithubConnector } from '../../src/connectors/github/connector';
import { ConnectorError } from '../../src/connectors/errors';
import type { Account } from '../../src/connectors/types';
import { startGithubPeer, type GithubPeer } from '../peers/github-peer';

const TOKEN = 'ghp-github-connector-test-8a1';
const APP_TOKEN = 'ghs-installation-token-2f0';
let seq = 0;
const email = () => `pat.${++seq}.${Date.now()}@acme.test`;
const loginFor = (mail: string) => mail.split('@')[0]!.replace(/\./g, '-');

async function withPeer(options: { saml?: boolean; enterpriseCloud?: boolean } = {}) {
  const peer = await startGithubPeer({ ...options, tokens: { [TOKEN]: ['admin:org'], [APP_TOKEN]: null } });
  const connector = (token = TOKEN, fetchFn?: typeof fetch) => new GithubConnector({ id: 'github', baseUrl: peer.url, org: 'acme', token, pageSize: 2, ...(fetchFn ? { fetch: fetchFn } : {}) });
  return { peer, connector };
}

describe('GitHub leaver: access ends without a session kill', () => {
  let peer: GithubPeer;
  let connector: (token?: string) => GithubConnector;
  beforeAll(async () => ({ peer, connector } = await withPeer()));
  afterAll(() => peer?.close());

  it('revokes SAML-authorised credentials, removes the membership with its teams, and says so with counts', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail, teams: ['engineering', 'design'], credentials: 3 });
    const bystander = peer.seedUser({ login: `other-${seq}`, nameId: `other.${seq}@acme.test`, teams: ['engineering'], credentials: 2 });
    const access = await connector().disableAccount(login);
    expect(peer.org.membership(login)).toBeUndefined();
    expect(peer.org.credentialsOf(login)).toEqual([]);
    expect(peer.teamsOf(login)).toEqual([]);
    expect(peer.org.credentialsOf(bystander)).toHaveLength(2);
    expect(peer.teamsOf(bystander)).toEqual(['engineering']);
    expect(access.detail).toMatchObject({ membershipRemoved: true, membershipStateBefore: 'active', credentialsRevoked: 3, invitationsCancelled: 0, credentialAuthorizations: 'available' });
    expect(access.note).toContain('organisation membership in acme removed');
    expect(access.note).toContain('3 SAML-authorised credential(s) revoked');
    expect(access.note).toContain('0 pending invitation(s) cancelled');
    expect(access.note).toMatch(/no session to end/);
    expect(access.note).not.toMatch(/sessions? (were |was )?(killed|ended|revoked)/i);
    expect(access.note).not.toContain(login);
    expect((await connector().findAccount(mail))?.status).toBe('deprovisioned');
  });

  it('reads together, then revokes together, then removes the membership, then reads back: four rounds, the teams read before anything goes', async () => {
    const latencyMs = 200;
    const slow = await startGithubPeer({ tokens: { [TOKEN]: ['admin:org'] }, latencyMs });
    try {
      const mail = email();
      const login = slow.seedUser({ login: loginFor(mail), nameId: mail, teams: ['engineering'], credentials: 2 });
      await new GithubConnector({ id: 'github', baseUrl: slow.url, org: 'acme', token: TOKEN }).disableAccount(login);
      // Requests that arrive within half a round trip of each other were sent together.
      const rounds: string[][] = [];
      let last = -Infinity;
      for (const r of slow.requests()) {
        if (r.at - last > latencyMs / 2) rounds.push([]);
        rounds.at(-1)!.push(`${r.method} ${r.path.replace(`/${login}`, '/{login}').replace(/\/\d+$/, '/{id}')}`);
        last = r.at;
      }
      expect(rounds.map((round) => round.sort())).toEqual([
        ['GET /orgs/acme/credential-authorizations', 'GET /orgs/acme/invitations', 'GET /orgs/acme/memberships/{login}', 'POST /graphql'],
        ['DELETE /orgs/acme/credential-authorizations/{id}', 'DELETE /orgs/acme/credential-authorizations/{id}'],
        ['DELETE /orgs/acme/memberships/{login}'],
        ['GET /orgs/acme/credential-authorizations', 'GET /orgs/acme/memberships/{login}'],
      ]);
      expect(slow.org.membership(login)).toBeUndefined();
      expect(slow.org.credentialsOf(login)).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it("cancels a pending invitee's invitations and credentials; a second disable changes nothing and says so", async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail, membership: 'pending', credentials: 1 });
    expect((await connector().findAccount(mail))?.status).toBe('staged');
    const first = await connector().disableAccount(login);
    expect(first.detail).toMatchObject({ membershipRemoved: true, credentialsRevoked: 1, invitationsCancelled: 1, membershipStateBefore: 'pending' });
    expect(first.note).toContain('pending organisation membership (invitation) in acme ended');
    expect([...peer.org.invitations.values()].filter((i) => i.login === login)).toEqual([]);
    expect(peer.org.membership(login)).toBeUndefined();

    const writes = peer.writes().length;
    const again = await connector().disableAccount(login);
    expect(again.detail).toMatchObject({ membershipRemoved: false, credentialsRevoked: 0, invitationsCancelled: 0 });
    expect(again.note).toContain('no organisation membership in acme was left to remove');
    // Only the membership DELETE (answered 404) is sent again: nothing is left to revoke or cancel.
    expect(peer.writes().slice(writes).map((w) => `${w.method} ${w.status}`)).toEqual(['DELETE 404']);
  });

  it('a grant to someone outside the org is an invitation, which the leaver cancels', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail, membership: null });
    peer.seedTeam('platform');
    await connector().grantEntitlement(login, 'team:platform');
    expect(peer.org.membership(login)?.state).toBe('pending');
    const access = await connector().disableAccount(login);
    expect(access.detail).toMatchObject({ invitationsCancelled: 1 });
    expect(peer.org.membership(login)).toBeUndefined();
    expect(peer.org.teams.get('platform')?.members.has(login.toLowerCase())).toBe(false);
  });

  it('errors on the leaver path name systems and IDs, never the person', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail, credentials: 1 });
    peer.failNext(1, 500);
    const error = await connector().disableAccount(login).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 500 });
    expect((error as Error).message).not.toContain(login);
    expect((error as Error).message).not.toContain(mail);
    await connector().disableAccount(login);
    expect(peer.org.membership(login)).toBeUndefined();
  });

  it('refuses a team synchronised with an IdP group as not_removable, and leaves it', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail });
    peer.seedTeam('idp-synced', { synced: true }).members.set(login.toLowerCase(), { role: 'member', state: 'active' });
    await expect(connector().revokeEntitlement(login, 'team:idp-synced')).rejects.toMatchObject({ code: 'not_removable' });
    expect(peer.teamsOf(login)).toContain('idp-synced');
  });

  it('granting a team already held as maintainer writes nothing and keeps the role', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail });
    peer.seedTeam('leads').members.set(login.toLowerCase(), { role: 'maintainer', state: 'active' });
    const writes = peer.writes().length;
    await connector().grantEntitlement(login, 'team:leads');
    expect(peer.writes().length).toBe(writes);
    expect(peer.org.teams.get('leads')?.members.get(login.toLowerCase())?.role).toBe('maintainer');
  });
});

describe('GitHub without Enterprise Cloud credential authorizations', () => {
  it('with SAML SSO, a 404 for credential authorizations is the token not seeing them: membership removed, then an error', async () => {
    const { peer, connector } = await withPeer({ enterpriseCloud: false });
    try {
      const mail = email();
      const login = peer.seedUser({ login: loginFor(mail), nameId: mail });
      const error = await connector().disableAccount(login).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unauthorized', retryable: false });
      expect((error as Error).message).toContain('could not be revoked');
      expect(peer.org.membership(login)).toBeUndefined();
    } finally {
      await peer.close();
    }
  });

  it('without SAML SSO, still removes the membership, and the note says the organisation has no credential authorizations', async () => {
    const { peer, connector } = await withPeer({ enterpriseCloud: false, saml: false });
    try {
      const mail = email();
      const login = peer.seedUser({ login: loginFor(mail), nameId: mail });
      const access = await connector().disableAccount(login);
      expect(peer.org.membership(login)).toBeUndefined();
      expect(access.detail).toMatchObject({ credentialAuthorizations: 'unavailable', credentialsRevoked: 0, membershipRemoved: true });
      expect(access.note).toContain('no credential authorizations to revoke');
      expect(access.note).toContain('GitHub Enterprise Cloud');
    } finally {
      await peer.close();
    }
  });
});

describe('GitHub rate limits', () => {
  let peer: GithubPeer;
  let connector: (token?: string) => GithubConnector;
  beforeAll(async () => ({ peer, connector } = await withPeer()));
  afterAll(() => peer?.close());

  const retriedAfterHint = (before: number, status: number) => {
    const seen = peer.requests().slice(before);
    const limited = seen.findIndex((r) => r.status === status && r.retryAt !== undefined);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect(seen[limited + 1]!.at).toBeGreaterThanOrEqual(seen[limited]!.retryAt!);
  };

  it('waits out a secondary limit answered 403 with retry-after, then succeeds', async () => {
    const mail = email();
    peer.seedUser({ login: loginFor(mail), nameId: mail });
    const before = peer.requests().length;
    peer.rateLimitNext(1, 1, 'secondary-403');
    expect((await connector().findAccount(mail))?.login).toBe(mail);
    retriedAfterHint(before, 403);
  });

  it('waits for the primary limit reset (x-ratelimit-remaining 0), answered 403 or 429', async () => {
    const login = peer.seedUser({ login: `primary-${++seq}`, teams: ['engineering'] });
    for (const kind of ['primary-403', 'primary-429'] as const) {
      const before = peer.requests().length;
      peer.rateLimitNext(1, 1, kind);
      await connector().revokeEntitlement(login, 'team:engineering');
      retriedAfterHint(before, kind === 'primary-403' ? 403 : 429);
    }
    expect(peer.teamsOf(login)).toEqual([]);
  });

  it('a wait longer than is served inline is thrown as rate_limited with the wait, not as unauthorized', async () => {
    peer.rateLimitNext(1, 120, 'secondary-403');
    const error = await connector().checkAccess().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', status: 403, retryable: true, retryAfterMs: 120_000 });
  });

  it("GraphQL's primary limit (200 with RATE_LIMITED) is rate_limited with the reset's wait", async () => {
    peer.rateLimitNext(1, 30, 'graphql-primary');
    const error = await connector().findAccount(email()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect((error as ConnectorError).retryAfterMs).toBeGreaterThan(25_000);
  });

  it('a plain 403 (no rate-limit headers or message) is unauthorized, not waited on', async () => {
    const login = peer.seedUser({ login: `plain-${++seq}` });
    const readOnly = await startGithubPeer({ tokens: { ro: ['read:org'] } });
    try {
      readOnly.seedUser({ login });
      const ro = new GithubConnector({ id: 'github', baseUrl: readOnly.url, org: 'acme', token: 'ro' });
      await expect(ro.disableAccount(login)).rejects.toMatchObject({ code: 'unauthorized', status: 403 });
      expect(readOnly.org.membership(login)?.state).toBe('active');
    } finally {
      await readOnly.close();
    }
  });

  it('sends the API version and media type on every request', async () => {
    const seen: Headers[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    const c = new GithubConnector({ id: 'github', baseUrl: peer.url, org: 'acme', token: TOKEN, fetch: spy });
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail });
    await c.findAccount(mail);
    await c.listEntitlements(login);
    expect(seen.length).toBeGreaterThan(1);
    for (const h of seen) {
      expect(h.get('x-github-api-version')).toBe('2022-11-28');
      expect(h.get('accept')).toBe('application/vnd.github+json');
      expect(h.get('authorization')).toBe(`Bearer ${TOKEN}`);
    }
  });
});

describe('GitHub identity: work email to login through SAML', () => {
  let peer: GithubPeer;
  let connector: (token?: string) => GithubConnector;
  beforeAll(async () => ({ peer, connector } = await withPeer()));
  afterAll(() => peer?.close());
  afterEach(() => peer.org.saml = true);

  it('answers null for a member with no linked SAML identity, and for an identity linked to no user', async () => {
    const mail = email();
    peer.seedUser({ login: loginFor(mail) });
    expect(await connector().findAccount(mail)).toBeNull();
    const unlinked = email();
    peer.seedUnlinkedIdentity(unlinked);
    expect(await connector().findAccount(unlinked)).toBeNull();
  });

  it('matches the NameID whatever its case, and names the account by its GitHub login', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail.toUpperCase() });
    expect(await connector().findAccount(mail)).toMatchObject({ id: login, login: mail.toUpperCase(), status: 'active' });
  });

  it('without a SAML identity provider, findAccount is an error naming SAML, never null', async () => {
    peer.org.saml = false;
    const error = await connector().findAccount(email()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'bad_request', retryable: false });
    expect((error as Error).message).toMatch(/no SAML identity provider/);
    expect(await connector().checkPermissions()).toEqual([expect.stringMatching(/no SAML identity provider/)]);
  });

  it('lists members joined with their SAML NameIDs, page by page; unlinked members by GitHub login; without SAML, all by login', async () => {
    const linked = email();
    const linkedLogin = peer.seedUser({ login: loginFor(linked), nameId: linked });
    const bare = peer.seedUser({ login: `bare-${++seq}` });
    const list = async () => {
      const all: Account[] = [];
      for await (const page of connector().listAccounts()) {
        expect(page.length).toBeLessThanOrEqual(2);
        all.push(...page);
      }
      return all;
    };
    const accounts = await list();
    expect(accounts.find((a) => a.id === linkedLogin)).toEqual({ id: linkedLogin, login: linked, email: linked, status: 'active' });
    expect(accounts.find((a) => a.id === bare)).toEqual({ id: bare, login: bare, status: 'active' });
    peer.org.saml = false;
    const withoutSaml = await list();
    expect(withoutSaml.find((a) => a.id === linkedLogin)?.login).toBe(linkedLogin);
    expect(withoutSaml.length).toBe(accounts.length);
  });

  it('GraphQL errors answered 200 are errors, never empty lists or null', async () => {
    const mail = email();
    const login = peer.seedUser({ login: loginFor(mail), nameId: mail, teams: ['engineering'] });
    peer.graphqlErrorsNext([{ message: 'Something went wrong while executing your query. Please include `0401:3E0A` when reporting this issue.' }]);
    await expect(connector().listEntitlements(login)).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    peer.graphqlErrorsNext([{ message: 'Something went wrong while executing your query.' }]);
    await expect(connector().findAccount(mail)).rejects.toMatchObject({ code: 'unavailable' });
    peer.graphqlErrorsNext([{ message: "Field 'teamz' doesn't exist on type 'Organization'", extensions: { code: 'undefinedField' } }]);
    await expect(connector().listEntitlements(login)).rejects.toMatchObject({ code: 'bad_request', retryable: false });
    peer.graphqlErrorsNext([{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }]);
    await expect(connector().findAccount(mail)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await connector().listEntitlements(login)).toEqual(['team:engineering']);
  });
});

describe('GitHub permissions by token kind', () => {
  it('a classic token missing scopes gets one line each; a token without X-OAuth-Scopes is checked by what it can read', async () => {
    const peer = await startGithubPeer({ tokens: { full: ['admin:org', 'repo'], repoOnly: ['repo'], app: null } });
    try {
      const make = (token: string) => new GithubConnector({ id: 'github', baseUrl: peer.url, org: 'acme', token });
      expect(await make('full').checkPermissions()).toEqual([]);
      const lines = await make('repoOnly').checkPermissions();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain('admin:org');
      expect(lines[1]).toContain('read:org');
      expect(await make('app').checkPermissions()).toEqual([]);
    } finally {
      await peer.close();
    }
  });
});
