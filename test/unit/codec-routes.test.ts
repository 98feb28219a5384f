import { randomBytes } from 'node:crypto';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiToken } from '../../src/api/auth';
import { codecRouter, payloadFromJson, payloadToJson, type CodecRouteDeps } from '../../src/api/codec-routes';
import { EncryptionCodec } from '../../src/temporal/codec';

const auditor = 'auditor-token-0123456789';
const admin = 'admin-token-0123456789ab';
const tokens = new Map<string, ApiToken>([
  [auditor, { role: 'auditor' }],
  [admin, { role: 'admin' }],
]);
const uiOrigin = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec([randomBytes(32)]);
const servers: Server[] = [];

async function serve(deps: Partial<CodecRouteDeps>): Promise<number> {
  const app = express();
  app.use(codecRouter({ codec, tokens, corsOrigins: [uiOrigin, 'http://localhost:8233'], ...deps }));
  app.use((_req, res) => void res.status(404).json({ error: 'not_found' }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** node:http, so the Host header can be set like a rebinding DNS name would set it. */
function call(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = { 'content-type': 'application/json' };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const payloadsBody = (...values: unknown[]) => JSON.stringify({ payloads: values.map((v) => payloadToJson(defaultPayloadConverter.toPayload(v))) });

let port: number;
let devPort: number;
let offPort: number;
beforeAll(async () => {
  port = await serve({});
  devPort = await serve({ openOnLoopback: true });
  offPort = await serve({ codec: undefined });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('codec endpoint', () => {
  it('answers 404 not_configured when no key is set', async () => {
    const res = await call(offPort, '/codec/decode', { headers: { ...json, ...bearer(auditor) }, body: payloadsBody('x') });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_configured');
  });

  it('encodes and decodes for an admin or auditor token, also under a namespace path', async () => {
    const enc = await call(port, '/codec/encode', { headers: { ...json, ...bearer(admin), 'x-namespace': 'default' }, body: payloadsBody({ a: 1 }, 'two') });
    expect(enc.status).toBe(200);
    const encoded = enc.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(encoded).toHaveLength(2);
    expect(Buffer.from(encoded[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const dec = await call(port, '/codec/default/decode?preserveStorageRefs=true', { headers: { ...json, ...bearer(auditor) }, body: JSON.stringify(enc.body) });
    expect(dec.status).toBe(200);
    expect(dec.headers['content-type']).toContain('application/json');
    const decoded = dec.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(decoded[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded[0]!.data, 'base64').toString())).toEqual({ a: 1 });
    expect(JSON.parse(Buffer.from(decoded[1]!.data, 'base64').toString())).toBe('two');
  });

  it('needs a known token: 401 without or with an unknown one', async () => {
    for (const headers of [json, { ...json, ...bearer('not-a-known-token-at-all') }]) {
      const res = await call(port, '/codec/decode', { headers, body: payloadsBody('x') });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers a CORS preflight from an allowed origin, and refuses other origins', async () => {
    const preflight = await call(port, '/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('Content-Type, X-Namespace, Authorization');
    expect(preflight.headers.vary).toContain('Origin');

    const evil = await call(port, '/codec/decode', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const evilPost = await call(port, '/codec/decode', { headers: { ...json, ...bearer(auditor), origin: 'https://evil.example' }, body: payloadsBody('x') });
    expect(evilPost.status).toBe(403);

    // An allowed origin sees the answer, a 401 included, so the UI can tell what went wrong.
    const unauth = await call(port, '/codec/decode', { headers: { ...json, origin: uiOrigin }, body: payloadsBody('x') });
    expect(unauth.status).toBe(401);
    expect(unauth.headers['access-control-allow-origin']).toBe(uiOrigin);
  });

  it.each([
    ['malformed JSON', json, '{"payloads": [', 400, 'invalid_json'],
    ['an empty body', json, '', 400, 'invalid_json'],
    ['no payloads array', json, '{"payload": []}', 400, 'invalid_payload'],
    ['a payload that is not an object', json, '{"payloads": [1]}', 400, 'invalid_payload'],
    ['a bad field type', json, '{"payloads": [{"metadata": "x"}]}', 400, 'invalid_payload'],
    ['a wrong content type', { 'content-type': 'text/plain' }, '{"payloads": []}', 415, 'unsupported_media_type'],
  ])('refuses %s', async (_name, headers, body, status, code) => {
    const res = await call(port, '/codec/decode', { headers: { ...headers, ...bearer(auditor) }, body });
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(code);
  });

  it('answers 413 over 4 MB', async () => {
    const big = JSON.stringify({ payloads: [{ data: Buffer.alloc(3_200_000).toString('base64') }] });
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    const res = await call(port, '/codec/encode', { headers: { ...json, ...bearer(admin) }, body: big });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('answers 400 when a payload cannot be decrypted', async () => {
    const [sealed] = await new EncryptionCodec([randomBytes(32)]).encode([defaultPayloadConverter.toPayload('x')]);
    const res = await call(port, '/codec/decode', { headers: { ...json, ...bearer(auditor) }, body: JSON.stringify({ payloads: [payloadToJson(sealed!)] }) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('decode_failed');
    expect(String(res.body.message)).toContain('encrypted with key');
  });

  it('answers 405 to other methods and leaves other paths alone', async () => {
    const res = await call(port, '/codec/decode', { method: 'GET', headers: bearer(auditor) });
    expect(res.status).toBe(405);
    for (const path of ['/codec/download', '/codec/default/download', '/codec/a/b/decode', '/codec']) {
      const other = await call(port, path, { headers: { ...json, ...bearer(auditor) }, body: payloadsBody('x') });
      expect(other.status, path).toBe(404);
      expect(other.body.error, path).toBe('not_found');
    }
  });
});

describe('codec endpoint in jml dev', () => {
  it('needs no token from this machine, to a loopback host name, from the UI origin or none', async () => {
    for (const headers of [{ ...json, origin: uiOrigin }, json, { ...json, host: `localhost:${devPort}` }]) {
      const res = await call(devPort, '/codec/decode', { headers, body: payloadsBody('x') });
      expect(res.status).toBe(200);
    }
  });

  it('still needs a token through a proxy or under a foreign host name (DNS rebinding)', async () => {
    for (const headers of [
      { ...json, host: `rebind.evil.example:${devPort}` },
      { ...json, 'x-forwarded-for': '203.0.113.7' },
      { ...json, forwarded: 'for=203.0.113.7' },
    ]) {
      const res = await call(devPort, '/codec/decode', { headers, body: payloadsBody('x') });
      expect(res.status).toBe(401);
    }
    const evil = await call(devPort, '/codec/decode', { headers: { ...json, origin: 'https://evil.example' }, body: payloadsBody('x') });
    expect(evil.status).toBe(403);
  });
});

describe('proto3 JSON payloads', () => {
  it('round-trips metadata, data and external payload sizes, through the codec too', async () => {
    const json = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64'), external_payloads: [{ size_bytes: '1234' }] };
    const payload = payloadFromJson(json);
    const [back] = await codec.decode(await codec.encode([payload]));
    expect(payloadToJson(back!)).toEqual({ metadata: json.metadata, data: json.data, externalPayloads: [{ sizeBytes: '1234' }] });
  });

  it('accepts url-safe base64 and names the bad field', () => {
    expect(Buffer.from(payloadFromJson({ data: '-_8' }).data!)).toEqual(Buffer.from([0xfb, 0xff]));
    expect(() => payloadFromJson({ metadata: { encoding: 'not base64!' } })).toThrow('metadata.encoding: expected base64');
    expect(() => payloadFromJson({ data: 5 })).toThrow('data: expected base64');
    expect(() => payloadFromJson({ externalPayloads: [{ sizeBytes: -1 }] })).toThrow('externalPayloads[0].sizeBytes');
  });
});
