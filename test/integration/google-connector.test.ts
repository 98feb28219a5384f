/**
 * Google Workspace behaviour the shared contract does not cover: the JWT bearer grant and its
 * refusals, per-scope delegation, sign-out with OAuth grant and app password revocation, Google's
 * 403 rate limits, aliases, archived users, joiners' placement, paging at Google's page size, and
 * the key from a file. Assertions read the peer's state.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfigFile } from '../../src/config/load';
import { googleWorkspaceConnector } from '../../src/connectors/google-workspace';
import { createConnectors } from '../../src/connectors/registry';
import { googleRetryAfterMs, MAX_BACKOFF_MS } from '../../src/connectors/google-workspace/convert';
import { SCOPES } from '../../src/connectors/google-workspace/scopes';
import { fetchAccessToken, TokenRefusedError } from '../../src/connectors/google-workspace/token';
import { ConnectorError } from '../../src/connectors/errors';
import { Pacer } from '../../src/connectors/pacer';
import { ALL_SCOPES, GOOGLE_ADMIN, GOOGLE_DOMAIN, startGoogleWorld, type GoogleWorld } from '../harness/pairs/google-workspace';

let world: GoogleWorld;
let seq = 0;
const login = () => `person.${++seq}.${Date.now()}@${GOOGLE_DOMAIN}`;
const claimsOf = (form: unknown) => {
  const assertion = new URLSearchParams(form as Record<string, string>).get('assertion') ?? '';
  return JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
};

beforeAll(async () => {
  world = await startGoogleWorld();
});
afterAll(async () => {
  await world?.peer.close();
});

describe('token: JWT bearer grant for a service account acting as an admin', () => {
  it('asks one token per scope, with the documented claims, and reuses it', async () => {
    const connector = world.make();
    const before = world.peer.tokenRequests().length;
    const who = login();
    world.peer.seedUser({ primaryEmail: who });
    await connector.findAccount(who);
    await connector.findAccount(who);
    const asked = world.peer.tokenRequests().slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.status).toBe(200);
    expect(new URLSearchParams(asked[0]!.body as Record<string, string>).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = claimsOf(asked[0]!.body);
    expect(claims).toMatchObject({ iss: world.key.clientEmail, sub: GOOGLE_ADMIN, scope: SCOPES.user, aud: world.peer.tokenUrl });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('a signature the endpoint cannot verify is unauthorized, with no key material in the message', async () => {
    const forged = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const connector = world.make({ key: { ...world.key, privateKey: forged } });
    const error = await connector.checkAccess().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'unauthorized', retryable: false });
    expect((error as Error).message).toContain('Invalid JWT Signature.');
    expect((error as Error).message).not.toMatch(/PRIVATE KEY|eyJ/);
    expect(world.peer.tokenRequests().at(-1)).toMatchObject({ status: 400 });
  });

  it('an admin subject the domain does not have is unauthorized (invalid_grant)', async () => {
    const error = await world.make({ adminSubject: `gone@${GOOGLE_DOMAIN}` }).checkAccess().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized' });
    expect((error as Error).message).toContain('invalid_grant');
  });

  it('an assertion outside a reasonable timeframe (a skewed clock) is refused as invalid_grant', async () => {
    const grant = { system: 'google', tokenUrl: world.peer.tokenUrl, key: world.key, subject: GOOGLE_ADMIN, now: () => Date.now() - 2 * 3600_000 };
    const error = await fetchAccessToken(grant, SCOPES.user).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefusedError);
    expect(error).toMatchObject({ code: 'unauthorized', oauthError: 'invalid_grant' });
    expect((error as Error).message).toContain('short-lived');
  });

  it('a subject who is not an admin gets a token, but the Directory API refuses it', async () => {
    const plain = login();
    world.peer.seedUser({ primaryEmail: plain });
    const error = await world.make({ adminSubject: plain }).checkAccess().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized', status: 403 });
    expect((error as Error).message).toContain('Not Authorized to access this resource/api');
  });

  it('an access token the API stops taking is replaced once, and the call succeeds', async () => {
    const connector = world.make();
    await connector.checkAccess();
    const before = world.peer.tokenRequests().length;
    world.peer.revokeAccessTokens();
    await expect(connector.checkAccess()).resolves.toBeUndefined();
    expect(world.peer.tokenRequests().length).toBe(before + 1);
  });
});

describe('scopes: each operation needs its own delegated scope', () => {
  it('a scope not delegated fails only what needs it, naming the scope; checkPermissions lists it', async () => {
    const key = world.serviceAccountWith(ALL_SCOPES.filter((s) => s !== SCOPES.security));
    const connector = world.make({ key });
    const who = login();
    const { id } = world.peer.seedUser({ primaryEmail: who, sessions: 1 });
    expect((await connector.findAccount(who))?.id).toBe(id);
    const error = await connector.killSessions(id).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect((error as Error).message).toContain(SCOPES.security);
    expect((error as Error).message).toContain('unauthorized_client');
    expect(world.peer.user(who)?.sessions).toBe(1);
    const problems = await connector.checkPermissions();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(SCOPES.security);
    expect(problems[0]).toContain(key.clientId!);
  });

  it('the API itself refuses a token without the method\'s scope (403 insufficientPermissions)', async () => {
    const { accessToken } = await fetchAccessToken({ system: 'google', tokenUrl: world.peer.tokenUrl, key: world.key, subject: GOOGLE_ADMIN }, SCOPES.groupRead);
    const res = await fetch(`${world.peer.url}/admin/directory/v1/users?customer=my_customer`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 403, errors: [{ reason: 'insufficientPermissions' }] } });
  });

  it('the peer refuses what Google refuses: an unknown field, a missing required one', async () => {
    const { accessToken } = await fetchAccessToken({ system: 'google', tokenUrl: world.peer.tokenUrl, key: world.key, subject: GOOGLE_ADMIN }, SCOPES.user);
    const post = (body: object) =>
      fetch(`${world.peer.url}/admin/directory/v1/users`, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const unknown = await post({ primaryEmail: login(), name: { givenName: 'A', familyName: 'B' }, password: 'x'.repeat(12), nickname: 'ab' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('Unknown name \\"nickname\\"');
    const missing = await post({ primaryEmail: login(), name: { givenName: 'A', familyName: 'B' } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { errors: [{ reason: 'required' }] } });
  });
});

describe('leaver', () => {
  it('killSessions signs out and revokes every OAuth grant and app password, with the counts in its note', async () => {
    const who = login();
    const { id } = world.peer.seedUser({ primaryEmail: who, sessions: 2, tokens: 3, asps: 2 });
    const note = await world.make().killSessions(id);
    expect(world.peer.user(who)).toMatchObject({ sessions: 0, tokens: 0, asps: 0 });
    expect(note.detail).toMatchObject({ signedOut: true, oauthGrantsRevoked: 3, appPasswordsRevoked: 2 });
    expect(note.detail?.oauthClientIds).toHaveLength(3);
    expect(note.note).toContain('3 OAuth app grants and 2 app passwords');
    expect(note.note).not.toContain(who);
    const again = await world.make().killSessions(id);
    expect(again.detail).toMatchObject({ oauthGrantsRevoked: 0, appPasswordsRevoked: 0 });
  });

  it('disableAccount suspends, and says so', async () => {
    const who = login();
    const { id } = world.peer.seedUser({ primaryEmail: who });
    const note = await world.make().disableAccount(id);
    expect(world.peer.user(who)?.suspended).toBe(true);
    expect(note.detail).toMatchObject({ suspended: true });
  });

  it('an archived user is disabled; enabling it unsuspends but says it stays archived', async () => {
    const who = login();
    const { id } = world.peer.seedUser({ primaryEmail: who, archived: true, suspended: true });
    expect((await world.make().findAccount(who))?.status).toBe('suspended');
    const error = await world.make().enableAccount(id).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request' });
    expect((await world.make().findAccount(who))?.status).toBe('disabled');
  });
});

describe('look-ups', () => {
  it('an address that is an alias of another account is refused, not taken for that account', async () => {
    const heir = login();
    const leaver = login();
    world.peer.seedUser({ primaryEmail: heir, aliases: [leaver] });
    const error = await world.make().findAccount(leaver).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'conflict' });
    expect((error as Error).message).not.toContain(leaver);
    expect((error as Error).message).not.toContain(heir);
  });

  it('a bare 404 (a gateway, not the API) is unavailable, never "no such user"', async () => {
    world.peer.bareNotFoundNext(1);
    const who = login();
    const error = await world.make().findAccount(who).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 404 });
    expect((error as Error).message).not.toContain(who);
    const wrongBase = await world.make({ baseUrl: `${world.peer.url}/proxy` }).findAccount(who).catch((e: unknown) => e);
    expect(wrongBase).toMatchObject({ code: 'unavailable' });
  });

  it('groups of another domain are listed and granted by their full address', async () => {
    const who = login();
    world.peer.seedGroup('partners@other.test');
    const { id } = world.peer.seedUser({ primaryEmail: who, groups: ['design'] });
    await world.make().grantEntitlement(id, 'group:partners@other.test');
    expect(await world.make().listEntitlements(id)).toEqual(['group:design', 'group:partners@other.test']);
  });

  it('listAccounts asks Google\'s full page of 500 and follows pageToken', async () => {
    const local = await startGoogleWorld();
    try {
      for (let i = 0; i < 1_100; i++) local.peer.seedUser({ primaryEmail: `bulk.${i}@${GOOGLE_DOMAIN}`, suspended: i % 100 === 0 });
      const sizes: number[] = [];
      let suspended = 0;
      for await (const page of local.make({ userPageSize: undefined }).listAccounts()) {
        sizes.push(page.length);
        suspended += page.filter((a) => a.status === 'suspended').length;
      }
      expect(sizes).toEqual([500, 500, 101]);
      expect(suspended).toBe(11);
      expect(local.peer.requests().filter((r) => r.path === '/users').every((r) => r.query.includes('maxResults=500') && r.query.includes('customer=my_customer'))).toBe(true);
    } finally {
      await local.peer.close();
    }
  });
});

describe('joiners', () => {
  it('createAccount places the user in the configured org unit, suspended until active, changing the password at first sign-in', async () => {
    world.peer.seedOrgUnit('/Staff/New');
    const connector = world.make({ orgUnitPath: '/Staff/New' });
    const who = login();
    const made = await connector.createAccount({ login: who, email: who, firstName: 'Grace', lastName: 'Hopper', active: false });
    expect(made.status).toBe('suspended');
    expect(world.peer.user(who)).toMatchObject({ orgUnitPath: '/Staff/New', suspended: true, changePasswordAtNextLogin: true });
    const body = world.peer.writes().at(-1)!.body as { password: string };
    expect(body.password.length).toBeGreaterThanOrEqual(24);
    await connector.enableAccount(made.id);
    expect(world.peer.user(who)?.suspended).toBe(false);
  });
});

describe("rate limits: Google's 403s and 429s without Retry-After", () => {
  it('a 403 rateLimitExceeded is backed off (at least a second) and retried', async () => {
    const who = login();
    world.peer.seedUser({ primaryEmail: who });
    const connector = world.make();
    await connector.checkAccess();
    const before = world.peer.requests().length;
    world.peer.rateLimitNext(1, { reason: 'rateLimitExceeded' });
    expect((await connector.findAccount(who))?.login).toBe(who);
    const seen = world.peer.requests().slice(before);
    expect(seen.map((r) => r.status)).toEqual([403, 200]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('userRateLimitExceeded past the inline retries is thrown as rate_limited with the next wait', async () => {
    const sleeps: number[] = [];
    const connector = world.make({ sleep: async (ms) => void sleeps.push(ms) });
    world.peer.rateLimitNext(4, { reason: 'userRateLimitExceeded' });
    const error = await connector.findAccount(login()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', status: 403, retryable: true });
    expect((error as ConnectorError).retryAfterMs).toBeGreaterThanOrEqual(8000);
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, n) => expect(ms).toBeGreaterThanOrEqual(1000 * 2 ** n));
  });

  it('the backoff doubles with up to a second of jitter, is capped, and a Retry-After wins', () => {
    const none = new Headers();
    expect([0, 1, 2, 3].map((n) => googleRetryAfterMs(none, 0, n, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(googleRetryAfterMs(none, 0, 1, () => 999)).toBe(2999);
    expect(googleRetryAfterMs(none, 0, 40, () => 999)).toBe(MAX_BACKOFF_MS);
    expect(googleRetryAfterMs(new Headers({ 'retry-after': '7' }), 0, 3)).toBe(7000);
  });
});

describe('descriptor and config', () => {
  const base = { id: 'google', type: 'google-workspace', adminSubject: GOOGLE_ADMIN, domain: GOOGLE_DOMAIN };

  it('takes the key from a file read at start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jml-google-'));
    const keyFile = join(dir, 'sa.json');
    writeFileSync(keyFile, world.keyJson, { mode: 0o600 });
    const config = googleWorkspaceConnector.configSchema.parse({ ...base, keyFile, tokenUrl: world.peer.tokenUrl, baseUrl: world.peer.url });
    expect(googleWorkspaceConnector.secretEnvs(config)).toEqual([]);
    const connector = googleWorkspaceConnector.create(config, { secrets: {}, pacer: new Pacer() });
    await expect(connector.checkAccess()).resolves.toBeUndefined();
  });

  it('takes the key from an env var, named in secretEnvs', async () => {
    const config = googleWorkspaceConnector.configSchema.parse({ ...base, keyEnv: 'GOOGLE_SA_KEY', tokenUrl: world.peer.tokenUrl, baseUrl: world.peer.url });
    expect(config).toMatchObject({ customer: 'my_customer', orgUnitPath: '/' });
    expect(googleWorkspaceConnector.secretEnvs(config)).toEqual(['GOOGLE_SA_KEY']);
    const connector = googleWorkspaceConnector.create(config, { secrets: { GOOGLE_SA_KEY: world.keyJson }, pacer: new Pacer() });
    await expect(connector.checkAccess()).resolves.toBeUndefined();
  });

  it('wants exactly one of keyEnv and keyFile, and a bad key stops start-up without showing it', () => {
    expect(googleWorkspaceConnector.configSchema.safeParse({ ...base }).success).toBe(false);
    expect(googleWorkspaceConnector.configSchema.safeParse({ ...base, keyEnv: 'K', keyFile: '/k.json' }).success).toBe(false);
    expect(googleWorkspaceConnector.configSchema.safeParse({ ...base, keyEnv: 'K', scopes: [] }).success).toBe(false);
    const config = googleWorkspaceConnector.configSchema.parse({ ...base, keyEnv: 'K' });
    const secret = '{"type":"service_account","client_email":"x@y","private_key":"not-a-key-s3cr3t"}';
    expect(() => googleWorkspaceConnector.create(config, { secrets: { K: secret }, pacer: new Pacer() })).toThrow(/not a PEM private key/);
    try {
      googleWorkspaceConnector.create(config, { secrets: { K: secret }, pacer: new Pacer() });
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cr3t');
    }
  });

  it('a systems[] entry in jml.config.yaml builds the connector through the registry; a wrong one names its key', async () => {
    const entry = (extra: string) => `systems:\n  - { id: google, type: google-workspace, adminSubject: ${GOOGLE_ADMIN}, domain: ${GOOGLE_DOMAIN}${extra} }\n`;
    const file = parseConfigFile(entry(`, keyEnv: GOOGLE_SA_KEY, tokenUrl: "${world.peer.tokenUrl}", baseUrl: "${world.peer.url}"`), 'jml.config.yaml');
    const connector = createConnectors(file.systems, { GOOGLE_SA_KEY: world.keyJson }).get('google')!;
    expect(connector.type).toBe('google-workspace');
    await expect(connector.checkAccess()).resolves.toBeUndefined();
    expect(() => parseConfigFile(entry(''), 'jml.config.yaml')).toThrow(ConfigError);
    expect(() => parseConfigFile(entry(''), 'jml.config.yaml')).toThrow(/keyEnv/);
    expect(() => parseConfigFile(entry(', keyEnv: K, orgUnitPath: Staff'), 'jml.config.yaml')).toThrow(/orgUnitPath/);
  });
});
