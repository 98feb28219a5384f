import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { JsonHttpClient, codeForStatus, type JsonHttpClientOptions } from '../../../src/connectors/http';
import { Pacer } from '../../../src/connectors/pacer';
import { endingSessions } from '../../../src/connectors/urgency';

const TOKEN = 'tok-abc123-secret';

interface Call {
  url: string;
  init: RequestInit;
}

/** A client over scripted answers; records every call and every sleep. */
function clientWith(answers: (Response | Error)[], overrides: Partial<JsonHttpClientOptions> = {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new Error('no scripted answer left');
    if (next instanceof Error) throw next;
    return next;
  };
  const client = new JsonHttpClient({
    system: 'sys',
    baseUrl: 'https://api.example.test/scim/v2/',
    authorization: `Bearer ${TOKEN}`,
    mediaType: 'application/scim+json',
    retryAfterMs: (headers) => (headers.get('retry-after') ? Number(headers.get('retry-after')) * 1000 : undefined),
    vendorMessage: (body) => (body && typeof body === 'object' && 'detail' in body ? String(body.detail) : undefined),
    isVendorNotFound: (body) => !!body && typeof body === 'object' && 'status' in body && String(body.status) === '404',
    fetch: fetchFn as typeof fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { client, calls, sleeps };
}

const json = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('JsonHttpClient', () => {
  it('joins the base path, encodes the query with %20, and sends auth and media type', async () => {
    const { client, calls } = clientWith([json(200, { ok: true })]);
    const res = await client.get('/Users', { query: { filter: 'userName eq "a+b@x.io"', count: 5, skip: undefined } });
    expect(res.body).toEqual({ ok: true });
    expect(calls[0]!.url).toBe('https://api.example.test/scim/v2/Users?filter=userName%20eq%20%22a%2Bb%40x.io%22&count=5');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(headers.Accept).toBe('application/scim+json');
    expect(headers['Content-Type']).toBeUndefined();
  });

  it('sends a JSON body with the media type as Content-Type', async () => {
    const { client, calls } = clientWith([json(201, { id: '1' })]);
    await client.request('POST', '/Users', { body: { userName: 'a' } });
    expect(calls[0]!.init.body).toBe('{"userName":"a"}');
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).toBe('application/scim+json');
  });

  it.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'not_found'],
    [409, 'conflict'],
    [422, 'bad_request'],
    [500, 'unavailable'],
    [503, 'unavailable'],
  ] as const)('maps %i to %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });

  it('throws a ConnectorError with the vendor message, status and system', async () => {
    const { client } = clientWith([json(400, { detail: 'userName is required' })]);
    const error = await client.request('POST', '/Users', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'bad_request', status: 400, system: 'sys' });
    expect((error as Error).message).toContain('userName is required');
    expect((error as Error).message).toContain('POST /scim/v2/Users');
  });

  it('returns accepted error statuses instead of throwing', async () => {
    const { client } = clientWith([json(404, { status: '404', detail: 'gone' })]);
    const res = await client.get('/Users/1', { accept: [404] });
    expect(res.status).toBe(404);
    expect(client.isVendorNotFound(res)).toBe(true);
  });

  it("treats a 404 without the vendor's error body as an outage, not as not_found", async () => {
    const page = new Response('<html><body>Not Found</body></html>', { status: 404, headers: { 'content-type': 'text/html' } });
    const { client } = clientWith([page, json(404, { status: '404', detail: 'no such user' })]);
    const gateway = await client.get('/Users/1').catch((e: unknown) => e);
    expect(gateway).toMatchObject({ code: 'unavailable', status: 404, retryable: true });
    const vendor = await client.get('/Users/1').catch((e: unknown) => e);
    expect(vendor).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('names a path it was given a label for instead of the real one (no logins in messages)', async () => {
    const { client } = clientWith([json(503, {})]);
    const error = (await client.get('/users/ann%40acme.test', { label: '/users/{login}' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('GET /scim/v2/users/{login}');
    expect(error.message).not.toContain('ann');
  });

  it('names the route, not the login, of an unlabelled path that carries one, when it times out or fails', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { client } = clientWith([timeout, json(500, {})]);
    const late = (await client.get('/users/jane.doe%40acme.com').catch((e: unknown) => e)) as Error;
    expect(late.message).toBe('sys: GET /scim/v2/users/{login} timed out after 10000 ms');
    const failed = (await client.get('/users/jane.doe@acme.com/groups').catch((e: unknown) => e)) as Error;
    expect(failed.message).toBe('sys: GET /scim/v2/users/{login}/groups answered 500');
  });

  it("scrubs the login from a vendor's error text that echoes it, from the path, a filter or a plain address", async () => {
    const { client } = clientWith([
      json(404, { detail: 'Not found: Resource not found: jane.doe@acme.com (User)' }),
      json(400, { detail: 'no user with userName "J.Doe" in filter userName eq "J.Doe"' }),
      json(409, { detail: 'Another object with the same value for property userPrincipalName already exists: zq@acme.test' }),
    ]);
    const byPath = (await client.get('/users/jane.doe%40acme.com').catch((e: unknown) => e)) as Error;
    expect(byPath.message).toBe('sys: GET /scim/v2/users/{login} answered 404 without the system\'s own error body (wrong base URL or a gateway?)');
    const byFilter = (await client.get('/Users', { query: { filter: 'userName eq "j.doe"' } }).catch((e: unknown) => e)) as Error;
    expect(byFilter.message).toBe('sys: GET /scim/v2/Users answered 400: no user with userName "[redacted]" in filter userName eq "[redacted]"');
    const byShape = (await client.request('POST', '/Users', { body: {} }).catch((e: unknown) => e)) as Error;
    expect(byShape.message).not.toContain('zq@acme.test');
    expect(byShape.message).toContain('[redacted]');
  });

  it('never puts the token in a message, even when the vendor echoes it', async () => {
    const { client } = clientWith([json(401, { detail: `token ${TOKEN} is not valid` })]);
    const error = (await client.get('/Users').catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('unauthorized');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).toContain('[redacted]');
  });

  it('waits the advertised time on 429 and retries inline', async () => {
    const { client, calls, sleeps } = clientWith([json(429, {}, { 'retry-after': '2' }), json(200, { ok: 1 })]);
    const res = await client.get('/Users');
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up after three inline retries with rate_limited and the wait', async () => {
    const limited = () => json(429, {}, { 'retry-after': '1' });
    const { client, calls, sleeps } = clientWith([limited(), limited(), limited(), limited()]);
    const error = await client.get('/Users').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000, retryable: true });
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([1000, 1000, 1000]);
  });

  it('does not wait inline for long waits; it throws rate_limited at once', async () => {
    const { client, calls, sleeps } = clientWith([json(429, {}, { 'retry-after': '30' })]);
    const error = await client.get('/Users').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 30_000 });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('caps a long Retry-After at 5 minutes by default and logs it once, without personal data', async () => {
    const warnings: { obj: object; msg?: string }[] = [];
    const log = { warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }) };
    const { client, calls, sleeps } = clientWith([json(429, {}, { 'retry-after': '3600' })], { log });
    const error = await client.get('/Users', { query: { filter: 'userName eq "ann@acme.test"' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 300_000, retryable: true });
    expect((error as Error).message).toContain('retry after 300000 ms');
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toEqual({ system: 'sys', method: 'GET', askedMs: 3_600_000, cappedMs: 300_000 });
    expect(JSON.stringify(warnings)).not.toMatch(/ann|acme|filter|Users/);
  });

  it('takes the cap from configuration, and waits inline when the capped wait is short', async () => {
    const warnings: object[] = [];
    const log = { warn: (obj: object) => void warnings.push(obj) };
    const { client, sleeps } = clientWith([json(429, {}, { 'retry-after': '600' }), json(200, { ok: 1 })], { log, maxRetryAfterMs: 2_000 });
    await client.get('/Users');
    expect(sleeps).toEqual([2_000]);
    expect(warnings).toEqual([{ system: 'sys', method: 'GET', askedMs: 600_000, cappedMs: 2_000 }]);

    const quiet: object[] = [];
    const { client: within } = clientWith([json(429, {}, { 'retry-after': '30' })], { log: { warn: (obj: object) => void quiet.push(obj) } });
    await expect(within.get('/Users')).rejects.toMatchObject({ retryAfterMs: 30_000 });
    expect(quiet).toEqual([]);
  });

  it('pauses briefly on a 429 that gives no wait', async () => {
    const { client, sleeps } = clientWith([json(429), json(200, {})]);
    await client.get('/Users');
    expect(sleeps).toEqual([1000]);
  });

  it('maps network failures and timeouts to unavailable', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const { client } = clientWith([refused]);
    const error = await client.get('/Users').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');

    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { client: slow } = clientWith([timeout], { timeoutMs: 250 });
    const late = await slow.get('/Users').catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'unavailable' });
    expect((late as Error).message).toContain('timed out after 250 ms');
  });

  it('times out a real slow answer', async () => {
    const hang = (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const { client } = clientWith([], { fetch: hang as typeof fetch, timeoutMs: 50 });
    await expect(client.get('/Users')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('follows absolute links on its own origin only', async () => {
    const { client, calls } = clientWith([json(200, [])]);
    await client.get('https://api.example.test/scim/v2/Users?after=x');
    expect(calls[0]!.url).toBe('https://api.example.test/scim/v2/Users?after=x');
    await expect(client.get('https://evil.example/steal')).rejects.toMatchObject({ code: 'unavailable' });
    expect(calls).toHaveLength(1);
  });

  it('reports its location without credentials', () => {
    const { client } = clientWith([], { baseUrl: 'https://user:pw@api.example.test/scim/v2/' });
    expect(client.location).toBe('https://api.example.test/scim/v2');
  });

  it('marks the requests sent inside endingSessions for the pacer, and only those', async () => {
    const pacer = new Pacer({ maxConcurrency: 1 });
    const lanes: boolean[] = [];
    const acquire = pacer.acquire.bind(pacer);
    pacer.acquire = (bucket, options) => (lanes.push(options?.endsSessions === true), acquire(bucket, options));
    const { client } = clientWith([json(200, {}), json(200, {}), json(200, {})], { pacer });
    await client.get('/Users/1');
    await endingSessions(async () => {
      await client.get('/Users/2');
      await new Promise((r) => setTimeout(r, 1));
      await client.get('/Users/3');
    });
    expect(lanes).toEqual([false, true, true]);
  });
});

