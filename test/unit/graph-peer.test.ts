/** The Graph peer refuses what Graph and the identity platform refuse, in their own error bodies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphPeer, type GraphPeer } from '../peers/graph-peer';

const tenantId = '0f1e2d3c-4b5a-4968-8776-655443322110';
let peer: GraphPeer;
let token: string;
let readOnlyToken: string;

async function tokenFor(clientId: string, secret: string): Promise<Response> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' });
  return fetch(`${peer.url}/${tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

/** What these tests read of Graph's answers. */
interface GraphBody {
  error: { code: string; message: string };
  value: unknown[];
  '@odata.nextLink'?: string;
  responses: { id: string; status: number }[];
}

async function graph(method: string, path: string, body?: unknown, bearer = token): Promise<{ status: number; body: GraphBody }> {
  const res = await fetch(`${peer.graphUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as GraphBody };
}

beforeAll(async () => {
  peer = await startGraphPeer({
    tenantId,
    pageLimit: 2,
    apps: [
      { clientId: 'app', secret: 'right-secret', roles: ['User.ReadWrite.All', 'GroupMember.ReadWrite.All'] },
      { clientId: 'reader', secret: 'right-secret', roles: ['User.Read.All'] },
    ],
  });
  token = ((await (await tokenFor('app', 'right-secret')).json()) as { access_token: string }).access_token;
  readOnlyToken = ((await (await tokenFor('reader', 'right-secret')).json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await peer?.close();
});

describe('token endpoint', () => {
  it('answers a wrong secret 401 invalid_client with an AADSTS code', async () => {
    const res = await tokenFor('app', 'wrong');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  });

  it('issues JWT-shaped tokens with the app roles claim', () => {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', tid: tenantId, roles: ['User.ReadWrite.All', 'GroupMember.ReadWrite.All'] });
  });
});

describe('Graph', () => {
  it('refuses a missing or tampered token 401, and a call the roles do not cover 403', async () => {
    expect((await graph('GET', '/users', undefined, '')).body.error.code).toBe('InvalidAuthenticationToken');
    expect((await graph('GET', '/users', undefined, `${token.slice(0, -2)}xx`)).status).toBe(401);
    const denied = await graph('PATCH', `/users/${peer.seedUser({ userPrincipalName: 'r@acme.test' }).id}`, { accountEnabled: false }, readOnlyToken);
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied' } } });
  });

  it('refuses unknown and read-only properties in a PATCH', async () => {
    const id = peer.seedUser({ userPrincipalName: 'p@acme.test' }).id;
    expect((await graph('PATCH', `/users/${id}`, { enabled: false })).status).toBe(400);
    expect((await graph('PATCH', `/users/${id}`, { id: 'x' })).status).toBe(400);
    expect(peer.user('p@acme.test')?.accountEnabled).toBe(true);
  });

  it('refuses a user without a required property or with a weak password', async () => {
    const user = { accountEnabled: true, displayName: 'N', mailNickname: 'n', userPrincipalName: 'n@acme.test', passwordProfile: { password: 'Str0ng!pass', forceChangePasswordNextSignIn: true } };
    const { mailNickname: _m, ...withoutNickname } = user;
    expect((await graph('POST', '/users', withoutNickname)).status).toBe(400);
    expect((await graph('POST', '/users', { ...user, passwordProfile: { password: 'short' } })).status).toBe(400);
    expect((await graph('POST', '/users', user)).status).toBe(201);
    expect((await graph('POST', '/users', user)).body.error.message).toMatch(/same value for property userPrincipalName/);
  });

  it('pages server-side and refuses a $top past 999 and an unknown segment', async () => {
    for (const n of [1, 2, 3]) peer.seedUser({ userPrincipalName: `page${n}@acme.test` });
    const first = await graph('GET', '/users?$top=999');
    expect(first.body.value).toHaveLength(2);
    expect(first.body['@odata.nextLink']).toContain('$skiptoken=');
    expect((await graph('GET', '/users?$top=1000')).status).toBe(400);
    expect((await graph('GET', '/usres')).status).toBe(400);
  });

  it('refuses a $batch of more than 20, with repeated ids, or a body without Content-Type', async () => {
    const get = (id: string) => ({ id, method: 'GET', url: '/users?$top=1' });
    expect((await graph('POST', '/$batch', { requests: Array.from({ length: 21 }, (_, i) => get(String(i))) })).status).toBe(400);
    expect((await graph('POST', '/$batch', { requests: [get('1'), get('1')] })).status).toBe(400);
    expect((await graph('POST', '/$batch', { requests: [{ id: '1', method: 'PATCH', url: '/users/x', body: {} }] })).status).toBe(400);
    const ok = await graph('POST', '/$batch', { requests: [get('1'), { id: '2', method: 'GET', url: '/users/no-such' }] });
    expect(ok.status).toBe(200);
    const byId = Object.fromEntries(ok.body.responses.map((r) => [r.id, r.status]));
    expect(byId).toEqual({ '1': 200, '2': 404 });
  });
});
