import { describe, expect, it } from 'vitest';
import { bucketOf, Pacer, type Permit } from '../../../src/connectors/pacer';

/** A clock the test moves; sleeping advances it (and lets other waiters, and the test, run). */
function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms: number) => void (now += ms),
    slept,
  };
}

const headers = (limit: number, remaining: number, resetSeconds: number) =>
  new Headers({ 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(resetSeconds) });

describe('Pacer', () => {
  it('holds the concurrency: a request waits for one in flight to finish', async () => {
    const pacer = new Pacer({ maxConcurrency: 2 });
    // Three buckets: a bucket's first request goes alone, and this is about the concurrency.
    const a = await pacer.acquire('GET /x');
    await pacer.acquire('GET /y');
    let third = false;
    const waiting = pacer.acquire('GET /z').then(() => (third = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(third).toBe(false);
    a.done();
    await waiting;
    expect(third).toBe(true);
  });

  it('waits for the bucket reset when what is left is in flight or reserved, never sending into a 429', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, reserve: 1 });
    const resetAt = Math.ceil((t.now() + 10_000) / 1000);
    (await pacer.acquire('DELETE /sessions')).done(headers(600, 3, resetAt));
    // 3 left, 1 reserved: two more may go at once.
    await pacer.acquire('DELETE /sessions');
    await pacer.acquire('DELETE /sessions');
    expect(t.slept).toEqual([]);
    // The third waits for the window to turn over.
    await pacer.acquire('DELETE /sessions');
    expect(t.slept.length).toBe(1);
    expect(t.now()).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(pacer.stats.paced).toBe(1);
  });

  it('keeps buckets apart, and takes the lowest count of a window when answers come out of order', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, reserve: 0 });
    const reset = Math.ceil((t.now() + 60_000) / 1000);
    (await pacer.acquire('GET /users/{id}')).done(headers(1000, 10, reset));
    (await pacer.acquire('GET /users/{id}')).done(headers(1000, 40, reset));
    expect(pacer.state('GET /users/{id}')?.remaining).toBe(10);
    (await pacer.acquire('GET /users/{id}')).done(headers(1000, 995, reset + 60));
    expect(pacer.state('GET /users/{id}')?.remaining).toBe(995);
    expect(pacer.state('DELETE /sessions')).toBeUndefined();
  });

  it('spaces starts under requestsPerSecond', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, requestsPerSecond: 4 });
    for (let i = 0; i < 5; i++) (await pacer.acquire('GET /x')).done();
    expect(t.now() - 1_700_000_000_000).toBeGreaterThanOrEqual(1000);
  });

  it('lets a quiet system run burstSeconds ahead of requestsPerSecond, then spaces starts again', async () => {
    const t = fakeTime();
    const start = t.now();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, requestsPerSecond: 4, burstSeconds: 1 });
    for (let i = 0; i < 5; i++) (await pacer.acquire('GET /x')).done();
    expect(t.now() - start).toBe(0);
    for (let i = 0; i < 4; i++) (await pacer.acquire('GET /x')).done();
    expect(t.now() - start).toBeGreaterThanOrEqual(1000);
  });

  it('charges each request what costOf says: a write at five spends five reads of the budget', async () => {
    const t = fakeTime();
    const start = t.now();
    const costOf = (method: string) => (method === 'GET' ? 1 : 5);
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, requestsPerSecond: 10, costOf });
    for (let i = 0; i < 10; i++) (await pacer.acquire('GET /x', { method: 'GET', pathname: '/x' })).done();
    // Ten reads at ten a second: the tenth starts 0.9 s in.
    expect(t.now() - start).toBe(900);
    for (let i = 0; i < 3; i++) (await pacer.acquire('DELETE /x', { method: 'DELETE', pathname: '/x' })).done();
    // Each write pushes the next start half a second: the third starts at 2 s.
    expect(t.now() - start).toBe(2000);
    // A request whose kind is not given costs one.
    (await pacer.acquire('GET /x')).done();
    expect(t.now() - start).toBe(2500);
  });

  it('sends a bucket\'s first request alone: the others wait for its answer to describe the bucket', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, reserve: 0 });
    const first = await pacer.acquire('DELETE /sessions');
    let others = 0;
    const waiting = [1, 2, 3].map(() => pacer.acquire('DELETE /sessions').then((p) => (others++, p)));
    await new Promise((r) => setTimeout(r, 5));
    expect(others).toBe(0);
    // Two left in this window: two of the three go, the third waits for the reset.
    const resetAt = Math.ceil((t.now() + 10_000) / 1000);
    first.done(headers(3, 2, resetAt));
    const permits = await Promise.all(waiting);
    expect(others).toBe(3);
    expect(t.now()).toBeGreaterThanOrEqual(resetAt * 1000);
    permits.forEach((p) => p.done());
  });

  it('does not hold back a bucket the system does not describe, once it has answered', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep });
    (await pacer.acquire('GET /scim/Users')).done(new Headers());
    for (let i = 0; i < 5; i++) await pacer.acquire('GET /scim/Users');
    expect(t.slept).toEqual([]);
  });

  it('when a window turns over, lets through only what the limit holds until the new window\'s first answers come', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, reserve: 0 });
    const resetAt = Math.ceil((t.now() + 2_000) / 1000);
    (await pacer.acquire('POST /lifecycle')).done(headers(3, 0, resetAt));
    // Six wait for the reset; in the new window three go, the rest wait for an answer.
    const started: Permit[] = [];
    const waiting = Array.from({ length: 6 }, () => pacer.acquire('POST /lifecycle').then((p) => started.push(p)));
    while (started.length < 3) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toHaveLength(3);
    expect(t.now()).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(pacer.state('POST /lifecycle')).toMatchObject({ remaining: 3, inFlight: 3 });
    // The new window's answers: all three spent, the next reset 2 s on; the others wait for it.
    const nextReset = Math.ceil((t.now() + 2_000) / 1000);
    started.slice(0, 3).forEach((p) => p.done(headers(3, 0, nextReset)));
    await Promise.all(waiting);
    expect(started).toHaveLength(6);
    expect(t.now()).toBeGreaterThanOrEqual(nextReset * 1000);
  });

  it('takes an answer about the concurrency limit (Limit 0) for no word on the bucket', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, reserve: 0 });
    const reset = Math.ceil((t.now() + 60_000) / 1000);
    (await pacer.acquire('GET /users/{id}')).done(headers(2000, 1990, reset));
    (await pacer.acquire('GET /users/{id}')).done(headers(0, 0, Math.ceil(t.now() / 1000) + 1));
    expect(pacer.state('GET /users/{id}')).toMatchObject({ limit: 2000, remaining: 1990 });
    await pacer.acquire('GET /users/{id}');
    expect(t.slept).toEqual([]);
  });

  it('does not hold back a bucket it knows nothing of, or one whose window has passed', async () => {
    const t = fakeTime();
    const pacer = new Pacer({ now: t.now, sleep: t.sleep, reserve: 0 });
    (await pacer.acquire('POST /lifecycle')).done(headers(600, 0, Math.ceil(t.now() / 1000) + 1));
    t.advance(2000);
    await pacer.acquire('POST /lifecycle');
    expect(t.slept).toEqual([]);
  });
});

describe('bucketOf', () => {
  it('takes identifiers out of the path', () => {
    expect(bucketOf('DELETE', '/api/v1/users/00u1abcd2EFGH3ijkl4/sessions')).toBe('DELETE /api/v1/users/{id}/sessions');
    expect(bucketOf('GET', '/api/v1/users/ada%40acme.test')).toBe('GET /api/v1/users/{id}');
    expect(bucketOf('PATCH', '/scim/v2/Groups/9f1c2d3e-aaaa-bbbb-cccc-0123456789ab')).toBe('PATCH /scim/v2/Groups/{id}');
    expect(bucketOf('GET', '/api/v1/groups')).toBe('GET /api/v1/groups');
  });
});

describe('Pacer shares', () => {
  it('keeps its part of the concurrency when other worker processes share it', async () => {
    const pacer = new Pacer({ maxConcurrency: 4 });
    pacer.setShare(2);
    await pacer.acquire('GET /x');
    const second = await pacer.acquire('GET /y');
    let third = false;
    const waiting = pacer.acquire('GET /z').then(() => (third = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(third).toBe(false);
    // The other process stopped: this one may use all four.
    pacer.setShare(1);
    await waiting;
    expect(third).toBe(true);
    second.done();
  });

  it('serves requests that end sessions before others already waiting, each lane in order', async () => {
    const pacer = new Pacer({ maxConcurrency: 1 });
    const first = await pacer.acquire('DELETE /groups/{id}/users/{id}');
    const order: string[] = [];
    const wait = (name: string, endsSessions: boolean) =>
      pacer.acquire('X', { endsSessions }).then((p) => {
        order.push(name);
        p.done();
      });
    const all = [wait('revoke-1', false), wait('revoke-2', false), wait('kill-1', true), wait('kill-2', true)];
    first.done();
    await Promise.all(all);
    expect(order).toEqual(['kill-1', 'kill-2', 'revoke-1', 'revoke-2']);
  });

  it('hands a freed slot to the one that waited: a request arriving meanwhile queues behind it', async () => {
    const pacer = new Pacer({ maxConcurrency: 1 });
    // Three buckets, so that only the slot is contended.
    const first = await pacer.acquire('GET /a');
    const order: string[] = [];
    const waited = pacer.acquire('GET /b').then((p) => (order.push('waited'), p));
    first.done();
    const late = pacer.acquire('GET /c').then((p) => (order.push('late'), p));
    (await waited).done();
    (await late).done();
    expect(order).toEqual(['waited', 'late']);
  });

  it('never lets a request waiting for its bucket hold the slot another bucket could use', async () => {
    // Real time, a short window: the exhausted bucket's waiter must not block the other bucket.
    const pacer = new Pacer({ maxConcurrency: 1, reserve: 0 });
    const reset = Math.ceil(Date.now() / 1000) + 2;
    (await pacer.acquire('GET /users/{id}/groups')).done(headers(100, 0, reset));
    let cleanupStarted = false;
    const cleanup = pacer.acquire('GET /users/{id}/groups').then((p) => ((cleanupStarted = true), p));
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    (await pacer.acquire('DELETE /users/{id}/sessions', { endsSessions: true })).done();
    expect(Date.now() - started).toBeLessThan(100);
    expect(cleanupStarted).toBe(false);
    (await cleanup).done();
  });

  it('leaves a bucket\'s last room to a session kill waiting for it, even when a clean-up waited longer', async () => {
    // Real time: one request a window, windows turning over on whole seconds.
    const pacer = new Pacer({ reserve: 0 });
    const reset = Math.ceil(Date.now() / 1000) + 1;
    (await pacer.acquire('POST /api/v1/users/{id}')).done(headers(1, 0, reset));
    const order: string[] = [];
    const take = (name: string, endsSessions: boolean, windowOver: number) =>
      pacer.acquire('POST /api/v1/users/{id}', { endsSessions }).then((p) => (order.push(name), p.done(headers(1, 0, windowOver))));
    const cleanup = take('suspend', false, reset + 2);
    await new Promise((r) => setTimeout(r, 20));
    const kill = take('kill', true, reset + 1);
    await Promise.all([kill, cleanup]);
    expect(order).toEqual(['kill', 'suspend']);
  });
});

