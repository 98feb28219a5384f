import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';

/**
 * Repeated 401s from one address are answered 429 with Retry-After, on webhooks, the API and
 * the codec endpoint; other addresses carry on. The engine trusts its loopback proxy (the
 * default), so X-Forwarded-For from this test names the address.
 */
let engine: TestEngine;

beforeAll(async () => {
  engine = await startTestEngine({ yaml: '', env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, JML_AUTH_FAILURE_LIMIT: '20' } });
});

afterAll(async () => {
  await engine?.close();
});

const from = (address: string, token = 'not-a-token-0123456789') => ({ authorization: `Bearer ${token}`, 'x-forwarded-for': address });
const verify = (address: string, token?: string) => fetch(`${engine.url}/api/evidence/verify`, { headers: from(address, token) });

describe('repeated 401s from one address', () => {
  it('20 bad tokens in a minute, then 429 with Retry-After on the API, codec and webhooks alike; other addresses unaffected', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < 20; i += 1) expect((await verify(attacker)).status).toBe(401);
    const refused = await verify(attacker);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Even a good token waits out the window from that address.
    expect((await verify(attacker, auditorToken)).status).toBe(429);
    const codec = await fetch(`${engine.url}/codec/decode`, { method: 'POST', headers: { ...from(attacker), 'content-type': 'application/json' }, body: '{"payloads":[]}' });
    expect(codec.status).toBe(429);
    const hook = await fetch(`${engine.url}/webhooks/bamboohr`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': attacker }, body: '{}' });
    expect(hook.status).toBe(429);

    // Another address: its good token works, its bad one is a plain 401.
    expect((await verify('203.0.113.8', auditorToken)).status).toBe(200);
    expect((await verify('203.0.113.8')).status).toBe(401);
  });

  it('bad webhook signatures count too', async () => {
    const sender = '198.51.100.9';
    const post = () =>
      fetch(`${engine.url}/webhooks/bamboohr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': sender, 'x-bamboohr-timestamp': String(Math.floor(Date.now() / 1000)), 'x-bamboohr-signature': '00'.repeat(32) },
        body: '{"employees":[]}',
      });
    for (let i = 0; i < 20; i += 1) expect((await post()).status).toBe(401);
    expect((await post()).status).toBe(429);
    // A signed delivery from elsewhere is still taken.
    const ok = await postBambooWebhook(engine.url, { employees: [] });
    expect(ok.status).not.toBe(429);
    expect(ok.status).not.toBe(401);
  });
});
