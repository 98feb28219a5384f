import { afterEach, describe, expect, it } from 'vitest';
import { startOktaPeer, type OktaPeer } from '../peers/okta-peer';
import { oktaDocumentedBuckets, rateLimitFloorMs, type OktaRateLimitBucket } from '../peers/okta-rate-limits';

const token = 'okta-rate-limit-token-7f2';
const byName = (name: string) => oktaDocumentedBuckets.find((b) => b.name === name)!;
/** The documented buckets with smaller limits, so a test can spend them. */
const small = (limits: Record<string, number>): OktaRateLimitBucket[] => oktaDocumentedBuckets.map((b) => ({ ...b, perMinute: limits[b.name] ?? b.perMinute }));

/** A clock the test moves; windows start on multiples of the window length. */
function clock(start = 1_700_000_040_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

let peer: OktaPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

async function call(method: string, path: string) {
  const res = await fetch(`${peer!.url}${path}`, { method, headers: { Authorization: `SSWS ${token}`, Accept: 'application/json' } });
  const text = await res.text();
  return {
    status: res.status,
    limit: res.headers.get('x-rate-limit-limit'),
    remaining: res.headers.get('x-rate-limit-remaining'),
    reset: res.headers.get('x-rate-limit-reset'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

describe('Okta peer: documented buckets', () => {
  it('puts each call the engine makes in the bucket Okta documents for it', () => {
    const bucketOf = (method: string, path: string) => oktaDocumentedBuckets.find((b) => b.match(method, path))?.name;
    expect(bucketOf('GET', '/api/v1/users')).toBe('users');
    expect(bucketOf('POST', '/api/v1/users')).toBe('users');
    expect(bucketOf('GET', '/api/v1/users/00u1abcdEFGH2ijkl3')).toBe('users/{idOrLogin} read');
    expect(bucketOf('GET', '/api/v1/users/ada%40acme.test')).toBe('users/{idOrLogin} read');
    expect(bucketOf('POST', '/api/v1/users/00u1abcdEFGH2ijkl3/lifecycle/suspend')).toBe('users/{id} write');
    expect(bucketOf('DELETE', '/api/v1/users/00u1abcdEFGH2ijkl3/sessions')).toBe('users/{id} write');
    expect(bucketOf('GET', '/api/v1/users/00u1abcdEFGH2ijkl3/groups')).toBe('api/v1');
    expect(bucketOf('GET', '/api/v1/groups')).toBe('groups');
    expect(bucketOf('PUT', '/api/v1/groups/00g1/users/00u1')).toBe('groups');
    expect(bucketOf('DELETE', '/api/v1/groups/00g1/users/00u1')).toBe('groups');
    expect(bucketOf('GET', '/api/v1/groups/00g1')).toBe('groups/{id}');
    // The Workforce Identity column of Okta's "Management rate limits" page.
    expect([byName('users'), byName('users/{idOrLogin} read'), byName('users/{id} write'), byName('groups'), byName('groups/{id}'), byName('api/v1')].map((b) => b.perMinute)).toEqual([
      600, 2000, 600, 500, 1000, 1200,
    ]);
  });

  it('keeps buckets apart, with the bucket\'s own headers on every answer', async () => {
    const t = clock();
    peer = await startOktaPeer({ token, rateLimits: { buckets: small({ 'users/{id} write': 3, 'users/{idOrLogin} read': 5 }), windowMs: 10_000, now: t.now } });
    const { id } = peer.seedUser({ login: 'lee.leaver@acme.test', sessions: 1 });
    const resetAt = String((1_700_000_040_000 + 10_000) / 1000);
    const kills = [];
    for (let i = 0; i < 3; i++) kills.push(await call('DELETE', `/api/v1/users/${id}/sessions`));
    expect(kills.map((k) => [k.status, k.limit, k.remaining, k.reset])).toEqual([
      [204, '3', '2', resetAt],
      [204, '3', '1', resetAt],
      [204, '3', '0', resetAt],
    ]);
    // Suspension is a write on the same user: the same bucket, now spent.
    const suspend = await call('POST', `/api/v1/users/${id}/lifecycle/suspend`);
    expect([suspend.status, suspend.limit, suspend.remaining, suspend.reset]).toEqual([429, '3', '0', resetAt]);
    // Reads have their own bucket, untouched.
    const read = await call('GET', `/api/v1/users/${id}`);
    expect([read.status, read.limit, read.remaining, read.reset]).toEqual([200, '5', '4', resetAt]);
    expect(peer.user('lee.leaver@acme.test')?.status).toBe('ACTIVE');
    const stats = peer.rateLimitStats();
    expect(stats.buckets['users/{id} write']).toMatchObject({ limit: 3, windowMs: 10_000, requests: 4, accepted: 3, limited: 1, injected: 0 });
    expect(stats.buckets['users/{idOrLogin} read']).toMatchObject({ requests: 1, accepted: 1, limited: 0 });
    expect(stats.buckets.groups).toMatchObject({ requests: 0, limited: 0 });
  });

  it('answers past the limit with Okta\'s E0000047 body, and the window turning over moves the reset', async () => {
    const t = clock();
    peer = await startOktaPeer({ token, rateLimits: { buckets: small({ groups: 2 }), windowMs: 2_000, now: t.now } });
    await call('GET', '/api/v1/groups');
    await call('GET', '/api/v1/groups');
    const refused = await call('GET', '/api/v1/groups');
    expect(refused).toMatchObject({ status: 429, limit: '2', remaining: '0', reset: String(1_700_000_042) });
    expect(refused.body).toEqual({
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
      errorLink: 'E0000047',
      errorId: expect.stringMatching(/^oae\S+$/) as unknown,
      errorCauses: [],
    });
    expect(peer.requests().at(-1)?.retryAt).toBe(1_700_000_042_000);
    t.advance(2_000);
    const next = await call('GET', '/api/v1/groups');
    expect(next).toMatchObject({ status: 200, limit: '2', remaining: '1', reset: String(1_700_000_044) });
    t.advance(4_100);
    expect(await call('GET', '/api/v1/groups')).toMatchObject({ status: 200, remaining: '1', reset: String(1_700_000_048) });
    expect(peer.rateLimitStats().buckets.groups).toMatchObject({ requests: 5, accepted: 4, limited: 1 });
  });

  it('answers 429 with X-Rate-Limit-Limit and -Remaining 0 past the concurrency limit, without spending a bucket', async () => {
    peer = await startOktaPeer({ token, latencyMs: 300, rateLimits: { buckets: oktaDocumentedBuckets, concurrency: 2 } });
    const { id } = peer.seedUser({ login: 'cy.concurrent@acme.test' });
    const started = Date.now();
    const answers = await Promise.all([0, 1, 2].map(() => call('GET', `/api/v1/users/${id}`)));
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ limit: '0', remaining: '0', body: { errorCode: 'E0000047', errorCauses: [] } });
    // The reset is Okta's estimate of when a slot frees up: soon, never in the past.
    expect(Number(refused[0]!.reset) * 1000).toBeGreaterThanOrEqual(started);
    expect(Number(refused[0]!.reset) * 1000).toBeLessThanOrEqual(Date.now() + 2_000);
    const stats = peer.rateLimitStats();
    expect(stats.concurrency).toEqual({ limit: 2, limited: 1, peak: 2 });
    expect(stats.buckets['users/{idOrLogin} read']).toMatchObject({ requests: 2, accepted: 2, limited: 0 });
    // Once the two in flight have answered, a slot is free again.
    expect((await call('GET', `/api/v1/users/${id}`)).status).toBe(200);
  });

  it('knows the least time its buckets allowed for the calls they let through, from where the first call fell in its window', async () => {
    const t = clock(1_700_000_040_500);
    peer = await startOktaPeer({ token, rateLimits: { buckets: small({ groups: 2, 'users/{idOrLogin} read': 10 }), windowMs: 2_000, now: t.now } });
    const { id } = peer.seedUser({ login: 'fl.floor@acme.test' });
    await call('GET', `/api/v1/users/${id}`);
    for (const _ of [1, 2, 3]) await call('GET', '/api/v1/groups');
    t.advance(1_500);
    for (const _ of [1, 2]) await call('GET', '/api/v1/groups');
    t.advance(2_000);
    await call('GET', '/api/v1/groups');
    // Five through at two a window: two turnovers, the first 1.5 s after the first call.
    const stats = peer.rateLimitStats();
    expect(stats.buckets.groups).toMatchObject({ accepted: 5, limited: 1, floorMs: 3_500 });
    expect(stats.buckets['users/{idOrLogin} read']).toMatchObject({ accepted: 1, floorMs: 0 });
    expect(rateLimitFloorMs(stats)).toBe(3_500);
    // A new round: the counts start over, the window keeps what it spent (one of two).
    peer.resetRateLimitStats();
    expect([(await call('GET', '/api/v1/groups')).status, (await call('GET', '/api/v1/groups')).status]).toEqual([200, 429]);
    t.advance(2_000);
    for (const _ of [1, 2, 3]) await call('GET', '/api/v1/groups');
    expect(peer.rateLimitStats().buckets.groups).toMatchObject({ requests: 5, accepted: 3, limited: 2, floorMs: 2_000 });
  });
});

describe('Okta peer: the single org-wide limit and injected 429s still work', () => {
  it('rateLimitPerMinute holds every request to one per-minute bucket', async () => {
    peer = await startOktaPeer({ token, rateLimitPerMinute: 2 });
    const { id } = peer.seedUser({ login: 'old.style@acme.test' });
    const answers = [await call('GET', `/api/v1/users/${id}`), await call('GET', '/api/v1/groups'), await call('DELETE', `/api/v1/users/${id}/sessions`)];
    expect(answers.map((a) => [a.status, a.limit, a.remaining])).toEqual([
      [200, '2', '1'],
      [200, '2', '0'],
      [429, '2', '0'],
    ]);
    expect(Number(answers[2]!.reset) % 60).toBe(0);
    expect(peer.rateLimitStats().buckets.default).toMatchObject({ requests: 3, accepted: 2, limited: 1 });
  });

  it('rateLimitNext refuses the next calls with the reset asked for, counted apart from the bucket\'s own 429s', async () => {
    peer = await startOktaPeer({ token, rateLimits: { buckets: oktaDocumentedBuckets } });
    peer.rateLimitNext(1, 3);
    const before = Date.now();
    const refused = await call('GET', '/api/v1/groups');
    expect(refused).toMatchObject({ status: 429, limit: '500', remaining: '0', body: { errorCode: 'E0000047' } });
    expect(Number(refused.reset) * 1000).toBeGreaterThanOrEqual(before + 3_000);
    expect((await call('GET', '/api/v1/groups')).status).toBe(200);
    expect(peer.rateLimitStats().buckets.groups).toMatchObject({ requests: 2, accepted: 1, limited: 0, injected: 1 });
  });
});
