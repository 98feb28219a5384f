import { Agent, request } from 'node:http';
import fc from 'fast-check';

/**
 * Raw HTTP for fuzzing: any method, path, header and body bytes node:http lets through (fetch
 * refuses many of them), over kept-alive connections so thousands of cases stay fast.
 */
export interface FuzzRequest {
  method: string;
  /** Path and query, already percent-encoded where needed. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown> | undefined;
}

let agent = new Agent({ keepAlive: true, maxSockets: 4 });

export function closeFuzzClient(): void {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 4 });
}

export function send(baseUrl: string, req: FuzzRequest): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  return new Promise((resolve, reject) => {
    const r = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = JSON.parse(text);
            json = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

/** Short, readable description of a request for failure messages. */
export function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? `<${req.body.length} bytes>` : req.body.length > 300 ? `${req.body.slice(0, 300)}… (${req.body.length} chars)` : req.body;
  return `${req.method} ${req.path} ${JSON.stringify(req.headers ?? {})} ${body}`;
}

// ---- arbitraries -------------------------------------------------------------------------

/** Text that stresses parsers: control characters, NUL, lone surrogates, RTL, emoji, long runs. */
export const nastyString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\u0000', 'null', 'undefined', 'NaN', '-1', '0', '1e309', '\u202e', '\ud800', '😀', '__proto__', 'constructor', '../../etc/passwd', '%00', '2026-02-30', '9999-12-31', '1970-01-01T00:00:00Z', 'T'.repeat(300)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
);

/** Any JSON value, with keys and strings from nastyString. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Near-valid JSON: a valid document with a few changes at random places (a value replaced by
 * any JSON, a key dropped, a key added, a string or an array emptied). Most are still
 * well-formed; many stop being valid, field by field.
 */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'drop', 'add', 'empty', 'wrap'), value: anyJson, key: nastyString });
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([doc, changes]) => {
    let out = structuredClone(doc) as Json;
    for (const change of changes) out = mutateOnce(out, change);
    return out;
  });
}

function mutateOnce(doc: Json, change: { at: number; kind: string; value: unknown; key: string }): Json {
  const spots: { parent: Json[] | Record<string, Json> | undefined; key: string | number }[] = [{ parent: undefined, key: '' }];
  const walk = (node: Json) => {
    if (Array.isArray(node)) node.forEach((v, i) => (spots.push({ parent: node, key: i }), walk(v)));
    else if (node && typeof node === 'object') Object.entries(node).forEach(([k, v]) => (spots.push({ parent: node, key: k }), walk(v)));
  };
  walk(doc);
  const spot = spots[change.at % spots.length]!;
  const current = spot.parent === undefined ? doc : (spot.parent as Record<string | number, Json>)[spot.key]!;
  let next: Json | undefined;
  switch (change.kind) {
    case 'replace':
      next = change.value as Json;
      break;
    case 'drop':
      next = undefined;
      break;
    case 'add':
      if (current && typeof current === 'object' && !Array.isArray(current)) next = { ...current, [change.key]: change.value as Json };
      else if (Array.isArray(current)) next = [...current, change.value as Json];
      else next = current;
      break;
    case 'empty':
      next = typeof current === 'string' ? '' : Array.isArray(current) ? [] : current && typeof current === 'object' ? {} : null;
      break;
    case 'wrap':
      next = [current];
      break;
  }
  if (spot.parent === undefined) return next === undefined ? {} : next;
  if (Array.isArray(spot.parent)) {
    if (next === undefined) spot.parent.splice(spot.key as number, 1);
    else spot.parent[spot.key as number] = next;
  } else if (next === undefined) delete spot.parent[spot.key as string];
  else spot.parent[spot.key as string] = next;
  return doc;
}

/** Body bytes: JSON text of a value, or text that is not JSON, or bytes that are not UTF-8. */
export function bodyBytes(json: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: json.map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => Buffer.from(s, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: json.map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf16le')) },
    { weight: 1, arbitrary: json.map((v) => Buffer.concat([Buffer.from(JSON.stringify(v) ?? 'null', 'utf8'), Buffer.from([0xff, 0xfe, 0xc3])])) },
    { weight: 1, arbitrary: fc.constantFrom(Buffer.alloc(0), Buffer.from('{'), Buffer.from('{"a":'), Buffer.from('[]'), Buffer.from('"x"'), Buffer.from('{"__proto__":{"x":1}}')) },
  );
}

/** A body well past `limit` bytes (valid JSON, so only its size is wrong). */
export const hugeBody = (limit: number) => Buffer.from(JSON.stringify({ padding: 'x'.repeat(limit + 16) }), 'utf8');

/** Content types: right, wrong, odd parameters and charsets. */
export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset=bogus',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'text/xml',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      'application/',
      'json',
      '',
    ),
  },
);

/** Content-Encoding values, mostly none, some lies (gzip on plain bytes), some unknown. */
export const contentEncoding = fc.oneof(
  { weight: 8, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown', 'gzip, gzip') },
);

/** Header values node:http accepts: printable ASCII and tabs, sometimes long. */
export const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', '1e12', 'Bearer', 'Bearer ', 'Basic', 'v0=', 'v0=00', 'a'.repeat(2000)),
);

/** Extra headers with fuzzed names and values (never Host, Content-Length or hop-by-hop ones). */
export const extraHeaders = fc.dictionary(
  fc.oneof(fc.constantFrom('x-forwarded-for', 'forwarded', 'origin', 'x-namespace', 'accept', 'accept-charset', 'authorization-extras', 'x-request-id', 'cookie'), fc.stringMatching(/^x-[a-z0-9-]{1,12}$/)),
  headerValue,
  { maxKeys: 3 },
);

export const httpMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'TRACE', 'SEARCH');

/** Percent-encodes every byte of the text's UTF-8 but the unreserved ones (lone surrogates become U+FFFD). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** A path segment: often plain, sometimes percent-encoded nastiness. */
export const pathSegment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
  nastyString.map(percentEncode),
  fc.constantFrom('%', '%zz', '%00', '..', '.', '%2e%2e', '%2F', ';', '%C0%AF', '%FF', '%E2%80%AE'),
);

/** A query string built from fuzzed names and values (repeats and brackets included). */
export const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('from', 'to', 'format', 'event', 'set', 'set[]', 'a[b]', '__proto__'), nastyString), nastyString), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`));
