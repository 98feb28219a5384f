/**
 * Okta group look-up at size: by exact name with `search=profile.name eq "…"` and every page,
 * never with `q` (a name-prefix match Okta caps at 300 and cannot page). A group that cannot be
 * found fails the grant or revoke.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaConnector } from '../../src/connectors/okta/connector';
import { startOktaPeer, type OktaPeer } from '../peers/okta-peer';

const TOKEN = 'okta-groups-token-41c';
const PREFIX = 'eng-';
const MANY = 320;
const name = (i: number) => `${PREFIX}1${String(i).padStart(3, '0')}`;
/** A prefix of every other group's name, and created last: `q=eng-1` would answer 300 others. */
const TARGET = `${PREFIX}1`;

describe('Okta group look-up among many groups sharing a prefix', () => {
  let peer: OktaPeer;
  let connector: OktaConnector;
  let userId: string;

  beforeAll(async () => {
    peer = await startOktaPeer({ token: TOKEN, pageLimit: 50 });
    for (let i = 0; i < MANY; i++) peer.seedGroup({ name: name(i) });
    peer.seedGroup({ name: TARGET });
    peer.seedGroup({ name: 'ops "on-call" \\ rota' });
    userId = peer.seedUser({ login: 'pat.mover@acme.test' }).id;
    connector = new OktaConnector({ id: 'okta', baseUrl: peer.url, token: TOKEN, pageLimit: 50 });
  });
  afterAll(() => peer?.close());

  const get = (query: string) =>
    fetch(`${peer.url}/api/v1/groups?${query}`, { headers: { Authorization: `SSWS ${TOKEN}` } }).then(async (r) => ({ status: r.status, link: r.headers.get('link') ?? '', body: (await r.json()) as unknown }));

  it('the peer behaves as Okta: q is capped at 300 without paging, search pages with Link, bad search is E0000031', async () => {
    const q = await get(`q=${TARGET}&limit=1000`);
    expect((q.body as { profile: { name: string } }[]).length).toBe(300);
    expect((q.body as { profile: { name: string } }[]).map((g) => g.profile.name)).not.toContain(TARGET);
    expect(q.link).not.toContain('rel="next"');
    const search = await get(`search=${encodeURIComponent(`profile.name sw "${PREFIX}"`)}&limit=100`);
    expect((search.body as unknown[]).length).toBe(100);
    expect(search.link).toContain('rel="next"');
    expect(await get(`search=${encodeURIComponent('profile.name eq eng')}`)).toMatchObject({ status: 400, body: { errorCode: 'E0000031' } });
    expect(await get(`search=${encodeURIComponent('profile.name ne "x"')}`)).toMatchObject({ status: 400, body: { errorCode: 'E0000031' } });
  });

  it('finds the exact group past the 300th prefix match, and grants it', async () => {
    const target = TARGET;
    const before = peer.requests().length;
    await connector.grantEntitlement(userId, `group:${target}`);
    expect(peer.user('pat.mover@acme.test')?.groups).toContain(target);
    const lookups = peer.requests().slice(before).filter((r) => r.method === 'GET' && r.path === '/api/v1/groups');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((r) => decodeURIComponent(r.query).includes(`search=profile.name eq "${target}"`) && !/(^|&)q=/.test(r.query))).toBe(true);
  });

  it('finds a group whose name has quotes and backslashes', async () => {
    await connector.grantEntitlement(userId, 'group:ops "on-call" \\ rota');
    expect(peer.user('pat.mover@acme.test')?.groups).toContain('ops "on-call" \\ rota');
    await connector.revokeEntitlement(userId, 'group:ops "on-call" \\ rota');
    expect(peer.user('pat.mover@acme.test')?.groups).not.toContain('ops "on-call" \\ rota');
  });

  it('follows every page of a search that matches more than a page', async () => {
    const wide = new OktaConnector({ id: 'okta', baseUrl: peer.url, token: TOKEN, pageLimit: 1 });
    peer.seedGroup({ name: 'Twin' });
    peer.seedGroup({ name: 'twin' });
    // Search values are case-insensitive: both come back, one per page; the exact-case one is taken.
    await wide.grantEntitlement(userId, 'group:twin');
    expect(peer.user('pat.mover@acme.test')?.groups).toContain('twin');
    expect(peer.user('pat.mover@acme.test')?.groups).not.toContain('Twin');
  });

  it('fails a revoke, and a grant, of a group that cannot be found', async () => {
    const gone = 'eng-retired';
    peer.seedGroup({ name: gone });
    await connector.grantEntitlement(userId, `group:${gone}`);
    peer.deleteGroup(gone);
    const fresh = new OktaConnector({ id: 'okta', baseUrl: peer.url, token: TOKEN });
    for (const op of [() => fresh.revokeEntitlement(userId, `group:${gone}`), () => fresh.grantEntitlement(userId, `group:${gone}`)]) {
      await expect(op()).rejects.toMatchObject({ code: 'bad_request', message: `okta: no Okta group named "${gone}"` });
    }
    // The connector that cached the group's ID learns it is gone, and fails too.
    await expect(connector.revokeEntitlement(userId, `group:${gone}`)).rejects.toMatchObject({ code: 'bad_request' });
  });
});
