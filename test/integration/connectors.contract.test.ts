/**
 * The contract every connector passes, run against each connector and its local peer.
 * Assertions read the peer's state (what the system now holds), not the connector's calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, UnsupportedError } from '../../src/connectors/errors';
import { OktaConnector } from '../../src/connectors/okta/connector';
import { requireAbility } from '../../src/connectors/registry';
import { ScimConnector } from '../../src/connectors/scim/connector';
import { abilitiesOf, type AccountStatus, type Connector } from '../../src/connectors/types';
import { startOktaPeer, type PeerRequest } from '../peers/okta-peer';
import { startScimPeer } from '../peers/scim-peer';

interface SeedAccount {
  groups?: string[];
  /** Live sessions / issued tokens at the system. */
  sessions?: number;
  /** Created but never activated (Okta STAGED, SCIM active=false). */
  pending?: boolean;
  disabled?: boolean;
}

/** What the contract needs from a connector + peer pair. */
interface Pair {
  connector: Connector;
  connectorWithToken(token: string): Connector;
  token: string;
  seedAccount(login: string, seed?: SeedAccount): string;
  seedGroup(name: string): void;
  /** Group names the peer holds for the account. */
  groupsAt(login: string): string[];
  /** The peer says the person can no longer use an existing session or token. */
  sessionsEnded(login: string): boolean;
  disabledAt(login: string): boolean;
  rateLimitNext(seconds: number): void;
  failNext(status: number): void;
  requests(): PeerRequest[];
  writes(): PeerRequest[];
  close(): Promise<void>;
}

const DISABLED: ReadonlySet<AccountStatus> = new Set(['suspended', 'disabled', 'deprovisioned']);

async function oktaPair(): Promise<Pair> {
  const token = 'okta-test-token-7f3a9c';
  // Pages of one, so every list call follows Okta's Link pagination.
  const peer = await startOktaPeer({ token, pageLimit: 1 });
  const make = (t: string) => new OktaConnector({ id: 'okta', baseUrl: peer.url, token: t });
  return {
    connector: make(token),
    connectorWithToken: make,
    token,
    seedAccount: (login, seed = {}) =>
      peer.seedUser({
        login,
        groups: seed.groups,
        sessions: seed.sessions,
        oauthTokens: seed.sessions,
        status: seed.pending ? 'STAGED' : seed.disabled ? 'SUSPENDED' : 'ACTIVE',
        hasPassword: !seed.pending,
      }).id,
    seedGroup: (name) => void peer.seedGroup({ name }),
    groupsAt: (login) => (peer.user(login)?.groups ?? []).filter((g) => g !== 'Everyone'),
    sessionsEnded: (login) => peer.sessionsOf(login) === 0 && peer.user(login)?.oauthTokens === 0,
    disabledAt: (login) => ['SUSPENDED', 'DEPROVISIONED'].includes(peer.user(login)?.status ?? ''),
    rateLimitNext: (seconds) => peer.rateLimitNext(1, seconds),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
}

async function scimPair(options: { memberFilter: boolean; retryAfter: 'seconds' | 'http-date' }): Promise<Pair> {
  const token = 'scim-test-token-5b1e2d';
  const peer = await startScimPeer({ token, memberFilter: options.memberFilter });
  const make = (t: string) => new ScimConnector({ id: 'scim', baseUrl: peer.url, token: t });
  return {
    connector: make(token),
    connectorWithToken: make,
    token,
    seedAccount: (login, seed = {}) => peer.seedUser({ userName: login, groups: seed.groups, active: !(seed.pending || seed.disabled) }).id,
    seedGroup: (name) => void peer.seedGroup({ displayName: name }),
    groupsAt: (login) => peer.user(login)?.groups ?? [],
    sessionsEnded: (login) => peer.user(login)?.active === false,
    disabledAt: (login) => peer.user(login)?.active === false,
    rateLimitNext: (seconds) => peer.rateLimitNext(1, seconds, options.retryAfter),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
}

const pairs: [string, () => Promise<Pair>][] = [
  ['okta', oktaPair],
  ['scim', () => scimPair({ memberFilter: true, retryAfter: 'seconds' })],
  ['scim without members filter, HTTP-date Retry-After', () => scimPair({ memberFilter: false, retryAfter: 'http-date' })],
];

describe.each(pairs)('connector contract: %s', (_name, start) => {
  let pair: Pair;
  let seq = 0;
  const login = () => `worker.${++seq}.${Date.now()}@acme.test`;

  beforeAll(async () => {
    pair = await start();
    for (const name of ['engineering', 'prod-admin', 'design']) pair.seedGroup(name);
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('finds an account by login, and answers null for an unknown one', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    const account = await pair.connector.findAccount(who);
    expect(account).toMatchObject({ id, login: who, email: who, status: 'active' });
    expect(await pair.connector.findAccount(`nobody.${Date.now()}@acme.test`)).toBeNull();
  });

  it('grants an entitlement, which the list and the system then show', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    await pair.connector.grantEntitlement(id, 'group:engineering');
    expect(await pair.connector.listEntitlements(id)).toEqual(['group:engineering']);
    expect(pair.groupsAt(who)).toEqual(['engineering']);
  });

  it('lists only what the account holds', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['design', 'prod-admin'] });
    pair.seedAccount(login(), { groups: ['engineering'] });
    expect(await pair.connector.listEntitlements(id)).toEqual(['group:design', 'group:prod-admin']);
  });

  it('granting a held entitlement again succeeds and changes nothing', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    await pair.connector.grantEntitlement(id, 'group:prod-admin');
    await pair.connector.grantEntitlement(id, 'group:prod-admin');
    expect(await pair.connector.listEntitlements(id)).toEqual(['group:prod-admin']);
    expect(pair.groupsAt(who)).toEqual(['prod-admin']);
  });

  it('revokes an entitlement, which is then gone from the list and the system', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['engineering', 'design'] });
    await pair.connector.revokeEntitlement(id, 'group:engineering');
    expect(await pair.connector.listEntitlements(id)).toEqual(['group:design']);
    expect(pair.groupsAt(who)).toEqual(['design']);
  });

  it('revoking an entitlement not held (or not existing) succeeds', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['design'] });
    await pair.connector.revokeEntitlement(id, 'group:engineering');
    await pair.connector.revokeEntitlement(id, 'group:engineering');
    await pair.connector.revokeEntitlement(id, `group:deleted-${Date.now()}`);
    expect(pair.groupsAt(who)).toEqual(['design']);
  });

  it('kills sessions, and the system shows them ended', async () => {
    const who = login();
    const id = pair.seedAccount(who, { sessions: 3 });
    expect(pair.sessionsEnded(who)).toBe(false);
    await requireAbility(pair.connector, 'killSessions')(id);
    expect(pair.sessionsEnded(who)).toBe(true);
  });

  it('disables an account; a fresh read shows it disabled; disabling again succeeds', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['engineering'] });
    await pair.connector.disableAccount(id);
    expect(pair.disabledAt(who)).toBe(true);
    expect(DISABLED.has((await pair.connector.findAccount(who))!.status)).toBe(true);
    await pair.connector.disableAccount(id);
    expect(pair.disabledAt(who)).toBe(true);
  });

  it('disables an account that was never activated', async () => {
    const who = login();
    const id = pair.seedAccount(who, { pending: true });
    await pair.connector.disableAccount(id);
    expect(DISABLED.has((await pair.connector.findAccount(who))!.status)).toBe(true);
  });

  it('disabling an account that does not exist succeeds', async () => {
    await expect(pair.connector.disableAccount('00u-no-such-account')).resolves.toBeUndefined();
  });

  it('enables a disabled account', async () => {
    const who = login();
    const id = pair.seedAccount(who, { disabled: true });
    await requireAbility(pair.connector, 'enableAccount')(id);
    expect(pair.disabledAt(who)).toBe(false);
    expect((await pair.connector.findAccount(who))?.status).toBe('active');
  });

  it('creates accounts, active or not, and refuses a duplicate login', async () => {
    const create = requireAbility(pair.connector, 'createAccount');
    const active = login();
    const made = await create({ login: active, email: active, firstName: 'Ada', lastName: 'Lovelace', active: true });
    expect(made).toMatchObject({ login: active, status: 'active' });
    expect((await pair.connector.findAccount(active))?.id).toBe(made.id);

    const later = login();
    const pending = await create({ login: later, email: later, firstName: 'Alan', lastName: 'Turing', active: false });
    expect(pending.status).not.toBe('active');
    expect((await pair.connector.findAccount(later))?.status).not.toBe('active');

    await expect(create({ login: active, email: active, firstName: 'Ada', lastName: 'L', active: true })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('declares its abilities; a missing one is an UnsupportedError', async () => {
    expect(abilitiesOf(pair.connector).sort()).toEqual(['createAccount', 'enableAccount', 'killSessions']);
    const { killSessions: _omitted, ...withoutKill } = Object.fromEntries(
      (['findAccount', 'disableAccount', 'listEntitlements', 'grantEntitlement', 'revokeEntitlement', 'killSessions'] as const).map((m) => [m, pair.connector[m]]),
    );
    const limited = { id: pair.connector.id, type: pair.connector.type, location: pair.connector.location, ...withoutKill } as unknown as Connector;
    expect(() => requireAbility(limited, 'killSessions')).toThrow(UnsupportedError);

    const id = pair.seedAccount(login());
    const error = await pair.connector.grantEntitlement(id, 'team:platform').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error).toMatchObject({ code: 'unsupported', system: pair.connector.id });
  });

  it('honours a 429: waits the advertised time, retries, and succeeds', async () => {
    const who = login();
    pair.seedAccount(who);
    const before = pair.requests().length;
    pair.rateLimitNext(1);
    expect((await pair.connector.findAccount(who))?.login).toBe(who);
    const seen = pair.requests().slice(before);
    const limited = seen.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retry = seen[limited + 1];
    expect(retry).toBeDefined();
    expect(retry!.at).toBeGreaterThanOrEqual(seen[limited]!.retryAt!);
  });

  it('answers unauthorized for a bad token, without the token in the message', async () => {
    const secret = `wrong-${pair.token}-x9`;
    const error = await pair.connectorWithToken(secret).findAccount(login()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect((error as Error).message).not.toContain(secret);
    expect((error as Error).message).not.toContain(pair.token);
  });

  it('answers unavailable (retryable) when the system fails', async () => {
    pair.failNext(503);
    const error = await pair.connector.findAccount(login()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 503, retryable: true });
  });

  it('refuses to grant a group that does not exist, naming it', async () => {
    const id = pair.seedAccount(login());
    const writesBefore = pair.writes().length;
    const error = await pair.connector.grantEntitlement(id, 'group:no-such-team').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request', retryable: false });
    expect((error as Error).message).toContain('no-such-team');
    expect(pair.writes().length).toBe(writesBefore);
  });
});
