import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

/**
 * The SCIM peer serves plain /Users listings from its store (test/peers/scim-listing.ts) rather
 * than through scimmy, for speed: the answer must be the one scimmy gives for the same page.
 * `sortOrder` without `sortBy` changes nothing in scimmy's answer but sends the request to scimmy.
 */
const token = 'scim-listing-token';
let peer: ScimPeer;
const get = async (query: string) => {
  const res = await fetch(`${peer.url}/Users?${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  peer = await startScimPeer({ token });
  peer.seedGroup({ displayName: 'engineering' });
  peer.seedUser({ userName: 'ada@acme.test', groups: ['engineering'] });
  peer.seedUser({ userName: 'bob@acme.test', active: false, givenName: 'Bob', familyName: 'Byrne' });
  peer.seedUser({ userName: 'cy@acme.test', email: 'cy.other@acme.test' });
  // One made through the API, as a provisioning client would, without emails or a name.
  await fetch(`${peer.url}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dee@acme.test', displayName: 'Dee' }),
  });
  for (let i = 0; i < 6; i++) peer.seedUser({ userName: `filler.${i}@acme.test` });
});
afterAll(() => peer?.close());

describe('SCIM peer plain listing', () => {
  it.each(['startIndex=1&count=4', 'startIndex=3&count=4', 'startIndex=9&count=5', 'count=3', 'startIndex=2', ''])('answers %s as scimmy does', async (query) => {
    const fast = await get(query);
    const scimmy = await get(`${query}${query ? '&' : ''}sortOrder=ascending`);
    expect(fast.status).toBe(200);
    expect(fast.type).toBe(scimmy.type);
    expect(fast.body).toEqual(scimmy.body);
  });

  it('renders every user as a read of that user does', async () => {
    const { body } = await get('count=50');
    const resources = body.Resources as { id: string }[];
    expect(resources).toHaveLength(10);
    for (const resource of resources) {
      const res = await fetch(`${peer.url}/Users/${resource.id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(resource).toEqual(await res.json());
    }
  });

  it('leaves a bad token to scimmy: 401', async () => {
    const res = await fetch(`${peer.url}/Users?count=2`, { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
  });
});
