/**
 * What the Microsoft Graph connector does beyond the shared contract, against the Graph peer:
 * dynamic groups, JSON $batch with inner throttling, token refresh, the session revocation's note,
 * identity-platform errors, look-ups by mail, and Graph's own not-found versus a gateway's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors';
import { GRAPH_CLIENT_ID, GRAPH_SECRET, GRAPH_TENANT_ID, graphPair, type GraphPair } from '../harness/pairs/microsoft-graph';
import { MicrosoftGraphConnector } from '../../src/connectors/microsoft-graph/connector';
import { microsoftGraphConnector } from '../../src/connectors/microsoft-graph';
import { Pacer } from '../../src/connectors/pacer';
import { createConnectors } from '../../src/connectors/registry';

let pair: GraphPair;
let seq = 0;
const login = () => `graph.${++seq}.${Date.now()}@acme.test`;
const unique = (name: string) => `${name}-${++seq}`;

beforeAll(async () => {
  pair = await graphPair();
});
afterAll(async () => {
  await pair?.close();
});

describe('dynamic groups', () => {
  it('are listed, reported not_removable on revoke, and never written to', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['assigned-one'] });
    const dynamic = pair.peer.seedGroup({ displayName: unique('sales-dynamic'), dynamic: true });
    dynamic.members.add(id);
    expect(await pair.connector.listEntitlements(id)).toEqual([`group:${dynamic.displayName}`, 'group:assigned-one'].sort());

    const writes = pair.writes().length;
    const error = await pair.connector.revokeEntitlement(id, `group:${dynamic.displayName}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'not_removable', retryable: false });
    expect((error as Error).message).toContain(dynamic.id);
    await expect(pair.connector.grantEntitlement(id, `group:${dynamic.displayName}`)).rejects.toMatchObject({ code: 'bad_request' });
    expect(pair.writes().length).toBe(writes);
    expect(pair.groupsAt(who)).toContain(dynamic.displayName);
  });
});

describe('JSON $batch revocation', () => {
  it('retries only the inner request Graph throttled, after its own Retry-After, and keeps the others', async () => {
    const who = login();
    const [a, b, c, notHeld] = [unique('b-a'), unique('b-b'), unique('b-c'), unique('b-not-held')];
    for (const name of [a, b, c, notHeld]) pair.seedGroup(name);
    const id = pair.seedAccount(who, { groups: [a, b, c] });
    const dynamic = pair.peer.seedGroup({ displayName: unique('b-dynamic'), dynamic: true });
    dynamic.members.add(id);
    const missing = unique('b-no-such-group');
    const before = pair.peer.batchRequests().length;

    pair.peer.throttleInnerNext(1, 1);
    const results = await pair.connector.revokeEntitlements(id, [a, b, c, dynamic.displayName, notHeld, missing].map((n) => `group:${n}`));

    expect(results.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(results[3]).toMatchObject({ code: 'not_removable' });
    expect(results[4]).toBeUndefined();
    expect(results[5]).toMatchObject({ code: 'bad_request' });
    expect((results[5] as Error).message).toContain(missing);
    expect(pair.groupsAt(who)).toEqual([dynamic.displayName]);

    const inner = pair.peer.batchRequests().slice(before);
    const first = inner.filter((r) => r.batch === inner[0]!.batch);
    const throttled = first.filter((r) => r.status === 429);
    expect(first).toHaveLength(4);
    expect(throttled).toHaveLength(1);
    const retried = inner.filter((r) => r.batch !== first[0]!.batch);
    expect(retried.map((r) => r.id)).toEqual([throttled[0]!.id]);
    expect(retried[0]!.status).toBe(204);
    expect(retried[0]!.at).toBeGreaterThanOrEqual(throttled[0]!.retryAt!);
  });

  it('an inner request throttled for longer than it may wait inline is rate_limited, the others done', async () => {
    const [a, b] = [unique('slow-a'), unique('slow-b')];
    const who = login();
    const id = pair.seedAccount(who, { groups: [a, b] });
    const connector = pair.make({ maxInlineWaitMs: 500 });
    pair.peer.throttleInnerNext(1, 30);
    const results = await connector.revokeEntitlements(id, [`group:${a}`, `group:${b}`]);
    expect(results[0]).toMatchObject({ code: 'rate_limited', retryAfterMs: 30_000, retryable: true });
    expect(results[1]).toBeUndefined();
    expect(pair.groupsAt(who)).toEqual([a]);
  });

  it('sends at most 20 requests per batch', async () => {
    const names = Array.from({ length: 23 }, () => unique('many'));
    for (const name of names) pair.seedGroup(name);
    const who = login();
    const id = pair.seedAccount(who, { groups: names });
    const before = pair.peer.batchRequests().length;
    const results = await pair.connector.revokeEntitlements(id, names.map((n) => `group:${n}`));
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(pair.groupsAt(who)).toEqual([]);
    const sizes = new Map<number, number>();
    for (const r of pair.peer.batchRequests().slice(before)) sizes.set(r.batch, (sizes.get(r.batch) ?? 0) + 1);
    expect([...sizes.values()]).toEqual([20, 3]);
  });

  it('answers not_found for every entry when the account is gone', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['gone-a', 'gone-b'] });
    pair.deleteAccount(who);
    const results = await pair.connector.revokeEntitlements(id, ['group:gone-a', 'group:gone-b']);
    for (const r of results) expect(r).toMatchObject({ code: 'not_found' });
  });
});

describe('tokens and credentials', () => {
  it('fetches a fresh token when Graph answers 401 to the cached one, and carries on', async () => {
    const connector = pair.make();
    const who = login();
    pair.seedAccount(who);
    expect(await connector.findAccount(who)).not.toBeNull();
    const issued = pair.peer.tokenRequests();
    pair.peer.expireTokens();
    const before = pair.requests().length;
    expect((await connector.findAccount(who))?.login).toBe(who);
    expect(pair.peer.tokenRequests()).toBe(issued + 1);
    const graph = pair.requests().slice(before).filter((r) => r.path.startsWith('/v1.0/'));
    expect(graph.map((r) => r.status)).toEqual([401, 200]);
  });

  it('a wrong client secret is unauthorized, named by the identity platform code, without the secret', async () => {
    const secret = `${GRAPH_SECRET}-rotated-7Yq`;
    const before = pair.requests().length;
    const error = await pair.make({ secret }).findAccount(login()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect((error as Error).message).toContain('invalid_client');
    expect((error as Error).message).toContain('AADSTS7000215');
    expect((error as Error).message).not.toContain(secret);
    expect(pair.requests().slice(before).filter((r) => r.path.startsWith('/v1.0/'))).toEqual([]);
  });

  it('an unknown client id or tenant is unauthorized too', async () => {
    await expect(pair.make({ clientId: '00000000-0000-4000-8000-000000000000' }).checkAccess()).rejects.toMatchObject({ code: 'unauthorized', status: 400 });
    const wrongTenant = new MicrosoftGraphConnector({ id: 'entra', tenantId: 'contoso.onmicrosoft.com', clientId: GRAPH_CLIENT_ID, clientSecret: GRAPH_SECRET, authority: pair.peer.url, graphUrl: pair.peer.graphUrl });
    await expect(wrongTenant.checkAccess()).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('reports each missing application permission from the token roles', async () => {
    const lines = await pair.make({ clientId: 'c1d2e3f4-0a1b-4c2d-8e3f-405162738495' }).checkPermissions();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('GroupMember.ReadWrite.All');
    expect(lines[0]).toContain('admin consent');
  });
});

describe('sessions and accounts', () => {
  it("the kill's note says revocation can take minutes and that the disable follows", async () => {
    const who = login();
    const id = pair.seedAccount(who, { sessions: 2 });
    const note = await pair.connector.killSessions(id);
    expect(note.note).toMatch(/few minutes/);
    expect(note.note).toMatch(/disabled/);
    expect(note.detail).toMatchObject({ signInSessionsRevoked: true });
    expect(pair.sessionsEnded(who)).toBe(true);
  });

  it('a disable Graph accepted but a fresh read does not show is converging, not success', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    pair.peer.tenant.lostWrites = 1;
    await expect(pair.connector.disableAccount(id)).rejects.toMatchObject({ code: 'converging', retryable: true });
    expect(pair.disabledAt(who)).toBe(false);
    await pair.connector.disableAccount(id);
    expect(pair.disabledAt(who)).toBe(true);
  });

  it('finds an account by mail when its UPN differs; two accounts with that mail are refused', async () => {
    const mail = login();
    const local = mail.split('@')[0]!;
    const user = pair.peer.seedUser({ userPrincipalName: `${local}@acmecorp.onmicrosoft.com`, mail });
    expect(await pair.connector.findAccount(mail)).toMatchObject({ id: user.id, email: mail, status: 'active' });
    pair.peer.seedUser({ userPrincipalName: `${local}.2@acmecorp.onmicrosoft.com`, mail });
    const error = await pair.connector.findAccount(mail).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'conflict' });
    expect((error as Error).message).not.toContain(local);
  });

  it("quotes a login with an apostrophe in the filter", async () => {
    const who = `o'brien.${Date.now()}@acme.test`;
    const id = pair.seedAccount(who);
    expect((await pair.connector.findAccount(who))?.id).toBe(id);
  });

  it('lists groups only, not the directory roles memberOf also returns', async () => {
    const who = login();
    const user = pair.peer.seedUser({ userPrincipalName: who, groups: ['with-role'], directoryRoles: ['User Administrator'] });
    expect(await pair.connector.listEntitlements(user.id)).toEqual(['group:with-role']);
  });

  it('refuses a group name two groups share, naming both', async () => {
    const name = unique('twin');
    const one = pair.peer.seedGroup({ displayName: name });
    const two = pair.peer.seedGroup({ displayName: name });
    const id = pair.seedAccount(login());
    const writes = pair.writes().length;
    const error = await pair.connector.grantEntitlement(id, `group:${name}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request' });
    expect((error as Error).message).toContain(one.id);
    expect((error as Error).message).toContain(two.id);
    expect(pair.writes().length).toBe(writes);
  });
});

describe('Graph answers', () => {
  it('waits out a 503 with Retry-After, as Graph asks', async () => {
    const who = login();
    pair.seedAccount(who);
    const before = pair.requests().length;
    pair.peer.failNext(1, 503, 1);
    expect((await pair.connector.findAccount(who))?.login).toBe(who);
    const seen = pair.requests().slice(before);
    expect(seen.map((r) => r.status)).toEqual([503, 200]);
    expect(seen[1]!.at).toBeGreaterThanOrEqual(seen[0]!.retryAt!);
  });

  it('a 404 without Graph\'s error body is unavailable, never not_found', async () => {
    const gateway: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.startsWith('/v1.0/')) return new Response('<html>Not Found</html>', { status: 404, headers: { 'content-type': 'text/html' } });
      return fetch(input, init);
    };
    const connector = new MicrosoftGraphConnector({ id: 'entra', tenantId: GRAPH_TENANT_ID, clientId: GRAPH_CLIENT_ID, clientSecret: GRAPH_SECRET, authority: pair.peer.url, graphUrl: pair.peer.graphUrl, fetch: gateway });
    await expect(connector.disableAccount('4d3c2b1a-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'unavailable', status: 404 });
    await expect(connector.listEntitlements('4d3c2b1a-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('names no login in an error, even when Graph echoes the filter back', async () => {
    const who = login();
    const echoing: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!url.pathname.startsWith('/v1.0/')) return fetch(input, init);
      const filter = url.searchParams.get('$filter') ?? '';
      const body = { error: { code: 'BadRequest', message: `Invalid filter clause: Syntax error at position 3 in '${filter}'.` } };
      return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } });
    };
    const connector = new MicrosoftGraphConnector({ id: 'entra', tenantId: GRAPH_TENANT_ID, clientId: GRAPH_CLIENT_ID, clientSecret: GRAPH_SECRET, authority: pair.peer.url, graphUrl: pair.peer.graphUrl, fetch: echoing });
    const error = await connector.findAccount(who).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request', status: 400 });
    expect((error as Error).message).toContain('Invalid filter clause');
    expect((error as Error).message).not.toContain(who.split('@')[0]!);
  });
});

describe('descriptor', () => {
  it('parses a systems[] entry with Graph defaults and refuses unknown keys', () => {
    const entry = { id: 'entra', type: 'microsoft-graph', tenantId: GRAPH_TENANT_ID, clientId: GRAPH_CLIENT_ID, clientSecretEnv: 'ENTRA_CLIENT_SECRET' };
    const parsed = microsoftGraphConnector.configSchema.parse(entry);
    expect(parsed).toMatchObject({ authority: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com/v1.0' });
    expect(microsoftGraphConnector.secretEnvs(parsed)).toEqual(['ENTRA_CLIENT_SECRET']);
    expect(microsoftGraphConnector.configSchema.safeParse({ ...entry, clientSecret: 'inline' }).success).toBe(false);
  });

  it('is built by the registry with exactly the abilities it declares', () => {
    const system = microsoftGraphConnector.configSchema.parse({
      id: 'entra', type: 'microsoft-graph', tenantId: GRAPH_TENANT_ID, clientId: GRAPH_CLIENT_ID, clientSecretEnv: 'ENTRA_CLIENT_SECRET', authority: pair.peer.url, graphUrl: pair.peer.graphUrl,
    });
    const connectors = createConnectors([system], { ENTRA_CLIENT_SECRET: GRAPH_SECRET });
    expect(connectors.get('entra')?.type).toBe('microsoft-graph');
  });

  it('a $batch spends one request of the pacer budget per inner request', async () => {
    const pacer = new Pacer({ requestsPerSecond: 1000 });
    const buckets: string[] = [];
    const acquire = pacer.acquire.bind(pacer);
    pacer.acquire = (bucket, options) => {
      buckets.push(bucket);
      return acquire(bucket, options);
    };
    const connector = new MicrosoftGraphConnector({ id: 'entra', tenantId: GRAPH_TENANT_ID, clientId: GRAPH_CLIENT_ID, clientSecret: GRAPH_SECRET, authority: pair.peer.url, graphUrl: pair.peer.graphUrl, pacer });
    const names = Array.from({ length: 5 }, () => unique('paced'));
    const id = pair.seedAccount(login(), { groups: names });
    await connector.listEntitlements(id);
    buckets.length = 0;
    await connector.revokeEntitlements(id, names.map((n) => `group:${n}`));
    expect(buckets.filter((b) => b.includes('$batch'))).toHaveLength(5);
  });
});
