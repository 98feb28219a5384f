/**
 * SCIM profiles against peers that refuse what the real servers refuse: AWS IAM Identity Center
 * (no startIndex, no members.value in the guide's older editions, cursor paging) and Entra ID
 * (cursor paging, `resources`, and-only filters). The right profile lists a user's groups
 * completely; the wrong one fails loudly and never answers "no groups".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimProfileName } from '../../src/connectors/scim/profiles/names';
import { ScimConnector } from '../../src/connectors/scim/connector';
import { startScimPeer, type ScimPeer, type ScimPeerOptions } from '../peers/scim-peer';

const TOKEN = 'scim-profile-token-9d2';
const GROUPS = ['g-alpha', 'g-bravo', 'g-charlie', 'g-delta', 'g-echo', 'g-foxtrot', 'g-golf'];
const HELD = ['g-alpha', 'g-charlie', 'g-delta', 'g-foxtrot', 'g-golf'];

interface Fixture {
  peer: ScimPeer;
  userId: string;
  connector(profile: ScimProfileName): ScimConnector;
}

async function fixture(options: Omit<ScimPeerOptions, 'token'>): Promise<Fixture> {
  const peer = await startScimPeer({ token: TOKEN, ...options });
  for (const displayName of GROUPS) peer.seedGroup({ displayName });
  const userId = peer.seedUser({ userName: 'lee.leaver@acme.test', groups: HELD }).id;
  peer.seedUser({ userName: 'sam.stayer@acme.test', groups: GROUPS });
  return { peer, userId, connector: (profile) => new ScimConnector({ id: 'scim', baseUrl: peer.url, token: TOKEN, profile, pageSize: 2 }) };
}

const get = (peer: ScimPeer, path: string) =>
  fetch(`${peer.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/scim+json' } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;
const expected = HELD.map((g) => `group:${g}`);

describe('aws-identity-center profile, against a peer that refuses members.value and startIndex', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture({ profile: 'aws-identity-center' });
  });
  afterAll(() => f?.peer.close());

  it('the peer refuses what AWS refuses', async () => {
    expect(await get(f.peer, '/Users?startIndex=1&count=2')).toMatchObject({ status: 400, body: { status: '400', detail: expect.stringContaining('ValidationException') } });
    expect((await get(f.peer, `/Groups?${q(`members.value eq "${f.userId}"`)}`)).status).toBe(400);
    expect((await get(f.peer, `/Groups?${q('displayName sw "g-"')}`)).status).toBe(400);
    expect((await get(f.peer, `/Groups?${q('displayName eq "g-alpha" or displayName eq "g-bravo"')}`)).status).toBe(400);
    expect((await get(f.peer, `/Groups?${q('id eq "x" and members eq "no-such-user"')}`)).status).toBe(404);
    // Without a cursor a list is one page, and it does not say there was more.
    expect((await get(f.peer, '/Groups?count=2')).body).toMatchObject({ totalResults: 2, itemsPerPage: 2 });
  });

  it('lists the complete set of groups (more than one page), by cursor paging and a membership check per group', async () => {
    const connector = f.connector('aws-identity-center');
    const before = f.peer.requests().length;
    expect(await connector.listEntitlements(f.userId)).toEqual(expected);
    const seen = f.peer.requests().slice(before);
    expect(seen.some((r) => r.query.includes('startIndex'))).toBe(false);
    const groupQueries = seen.filter((r) => r.path === '/scim/v2/Groups').map((r) => ({ query: decodeURIComponent(r.query), status: r.status }));
    expect(groupQueries.filter((r) => r.query.includes('members.value eq')).map((r) => r.status)).toEqual([400]);
    expect(groupQueries.filter((r) => r.query.includes(' and members eq ')).length).toBe(GROUPS.length);
    expect(seen.filter((r) => r.path === '/scim/v2/Groups' && /^cursor=[^&]+&|&cursor=[^&]+/.test(r.query)).length).toBeGreaterThan(0);
    // The refused members.value is asked once per connector, not on every listing.
    const again = f.peer.requests().length;
    expect(await connector.listEntitlements(f.userId)).toEqual(expected);
    expect(f.peer.requests().slice(again).filter((r) => r.status === 400)).toEqual([]);
  });

  it('grants and revokes with the documented PATCH forms', async () => {
    const connector = f.connector('aws-identity-center');
    await connector.grantEntitlement(f.userId, 'group:g-bravo');
    expect(f.peer.user('lee.leaver@acme.test')?.groups).toContain('g-bravo');
    await connector.revokeEntitlement(f.userId, 'group:g-bravo');
    expect(f.peer.user('lee.leaver@acme.test')?.groups).not.toContain('g-bravo');
    const patches = f.peer.writes().filter((w) => w.method === 'PATCH' && w.path.startsWith('/scim/v2/Groups/'));
    expect(patches.map((w) => (w.body as { Operations: unknown[] }).Operations[0])).toEqual([
      { op: 'add', path: 'members', value: [{ value: f.userId }] },
      { op: 'remove', path: 'members', value: [{ value: f.userId }] },
    ]);
  });

  it('the rfc7644 profile pointed at it fails loudly, never with an empty list', async () => {
    const wrong = f.connector('rfc7644');
    await expect(wrong.findAccount('lee.leaver@acme.test')).rejects.toMatchObject({ code: 'bad_request', status: 400 });
    await expect(wrong.listEntitlements(f.userId)).rejects.toMatchObject({ code: 'unsupported' });
  });
});

describe('aws-identity-center profile, against the guide as it now reads (members.value with cursors)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture({ profile: 'aws-identity-center', membersValueFilter: true });
  });
  afterAll(() => f?.peer.close());

  it('lists the complete set with the members.value filter, one cursor page after another', async () => {
    const before = f.peer.requests().length;
    expect(await f.connector('aws-identity-center').listEntitlements(f.userId)).toEqual(expected);
    const seen = f.peer.requests().slice(before).filter((r) => r.path === '/scim/v2/Groups');
    expect(seen.length).toBe(Math.ceil(HELD.length / 2));
    expect(seen.every((r) => decodeURIComponent(r.query).includes(`members.value eq "${f.userId}"`) && r.status === 200)).toBe(true);
  });
});

describe('entra-id profile, against a peer speaking Entra ID\'s SCIM API', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture({ profile: 'entra-id' });
  });
  afterAll(() => f?.peer.close());

  it('the peer answers and refuses as Entra does', async () => {
    const page = await get(f.peer, `/groups?${q(`members.value eq "${f.userId}"`)}&count=2`);
    expect(page.body).toMatchObject({ itemsPerPage: 2, nextCursor: expect.any(String), resources: expect.any(Array) });
    expect(page.body.Resources).toBeUndefined();
    expect((page.body.resources as Record<string, unknown>[])[0]?.members).toBeUndefined();
    expect(await get(f.peer, `/groups?${q('displayName eq "g-alpha" or displayName eq "g-bravo"')}`)).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
  });

  it('lists the complete set of groups across cursor pages, and grants and revokes one member at a time', async () => {
    const connector = f.connector('entra-id');
    expect(await connector.listEntitlements(f.userId)).toEqual(expected);
    await connector.grantEntitlement(f.userId, 'group:g-echo');
    await connector.revokeEntitlement(f.userId, 'group:g-alpha');
    expect(f.peer.user('lee.leaver@acme.test')?.groups).toEqual(['g-charlie', 'g-delta', 'g-echo', 'g-foxtrot', 'g-golf']);
    const removal = f.peer.writes().find((w) => w.method === 'PATCH' && (w.body as { Operations: { op: string }[] }).Operations[0]?.op === 'remove');
    expect((removal?.body as { Operations: unknown[] }).Operations).toEqual([{ op: 'remove', path: `members[value eq "${f.userId}"]` }]);
  });

  it('the rfc7644 profile pointed at it fails loudly instead of returning part of the list', async () => {
    const wrong = new ScimConnector({ id: 'scim', baseUrl: f.peer.url, token: TOKEN, pageSize: 2 });
    await expect(wrong.listEntitlements(f.userId)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('refusing a partial list') });
  });
});
