import { isIP } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { requireRole, type ApiTokens } from './auth';

/**
 * The Temporal codec server protocol, for the Temporal Web UI and CLI:
 * `POST /codec/encode` and `POST /codec/decode` (also `/codec/<namespace>/encode|decode`, for the
 * CLI's `--codec-endpoint .../{namespace}`). Body and answer: `{payloads: [...]}`, Payloads in
 * proto3 JSON (metadata values and data base64). The UI sends `Content-Type: application/json`
 * and `X-Namespace`, plus `Authorization` (and `Authorization-Extras`) when it passes its access
 * token, so a browser preflights with OPTIONS first.
 *
 * Decoding reveals HR data: both routes need a bearer token of role admin or auditor. The one
 * exception is `jml dev` (`openOnLoopback`): a request made on this machine, to a loopback host
 * name, without a forwarding proxy and from an allowed origin (or none) needs no token, so the
 * embedded dev server's UI can decode.
 */

export interface CodecRouteDeps {
  /** Undefined when no key is set: the routes answer 404 not_configured. With several keys it decodes with all of them. */
  codec: PayloadCodec | undefined;
  tokens: ApiTokens;
  /** JML_CODEC_CORS_ORIGINS. */
  corsOrigins: readonly string[];
  /** `jml dev` only: see above. */
  openOnLoopback?: boolean;
  maxBodyBytes?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export const codecAllowedHeaders = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';
/** By the protocol only the last segment counts; a namespace segment serves the CLI's `{namespace}` template. */
const codecPaths = ['/codec/:op', '/codec/:namespace/:op'];

class CodecRejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function codecRouter(deps: CodecRouteDeps): Router {
  const router = express.Router();
  const origins = new Set(deps.corsOrigins);
  const withToken = requireRole(deps.tokens, 'admin', 'auditor');
  const rawBody = express.raw({ type: () => true, limit: deps.maxBodyBytes ?? 4 * 1024 * 1024 });

  const ours: RequestHandler = (req, _res, next) => next(req.params.op === 'encode' || req.params.op === 'decode' ? undefined : 'route');

  const cors: RequestHandler = (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin !== undefined) {
      if (!origins.has(origin)) {
        deps.logger?.warn({ origin, path: req.path }, 'codec request from an origin not in JML_CODEC_CORS_ORIGINS refused');
        return void res.status(403).json({ error: 'origin_not_allowed', message: `origin ${origin} is not in JML_CODEC_CORS_ORIGINS` });
      }
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
    }
    if (req.method === 'OPTIONS') {
      res.set({ 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': codecAllowedHeaders, 'Access-Control-Max-Age': '600' });
      return void res.status(204).end();
    }
    next();
  };

  const configured: RequestHandler = (_req, res, next) => {
    if (deps.codec) return next();
    res.status(404).json({ error: 'not_configured', message: 'payload encryption is off: neither JML_ENCRYPTION_KEY nor JML_ENCRYPTION_KEYS is set' });
  };

  const authenticated: RequestHandler = (req, res, next) => {
    if (deps.openOnLoopback && isLocalDevRequest(req, origins)) return next();
    withToken(req, res, next);
  };

  const jsonOnly: RequestHandler = (req, _res, next) => {
    next(req.is('application/json') ? undefined : new CodecRejection(415, 'unsupported_media_type', 'send the payloads as application/json'));
  };

  const run: RequestHandler = async (req, res) => {
    const payloads = parsePayloads(req.body);
    const codec = deps.codec as PayloadCodec;
    const op = req.params.op as 'encode' | 'decode';
    let result: Payload[];
    try {
      result = op === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (err) {
      throw new CodecRejection(400, `${op}_failed`, (err as Error).message);
    }
    res.status(200).json({ payloads: result.map(payloadToJson) });
  };

  const answerError: ErrorRequestHandler = (err: unknown, _req, res: Response, _next) => {
    const rejection = asRejection(err);
    res.status(rejection.status).json({ error: rejection.code, message: rejection.message });
  };

  router.options(codecPaths, ours, cors);
  router.post(codecPaths, ours, cors, configured, authenticated, jsonOnly, rawBody, run, answerError);
  router.all(codecPaths, ours, cors, (_req, res) => {
    res.status(405).set('Allow', 'POST, OPTIONS').json({ error: 'method_not_allowed', message: 'use POST' });
  });
  return router;
}

function parsePayloads(raw: unknown): Payload[] {
  if (!Buffer.isBuffer(raw)) throw new Error('request body was consumed before the codec router');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new CodecRejection(400, 'invalid_json', raw.length === 0 ? 'the body is empty' : `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray((body as { payloads?: unknown }).payloads)) {
    throw new CodecRejection(400, 'invalid_payload', 'payloads: expected {"payloads": [...]}');
  }
  return (body as { payloads: unknown[] }).payloads.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new CodecRejection(400, 'invalid_payload', `payloads[${i}]: expected a Payload object`);
    }
    try {
      return payloadFromJson(item as Record<string, unknown>);
    } catch (err) {
      throw new CodecRejection(400, 'invalid_payload', `payloads[${i}].${(err as Error).message}`);
    }
  });
}

/** A Payload in proto3 JSON form: bytes as base64, int64 as a decimal string. */
export interface PayloadJson {
  metadata: Record<string, string>;
  data: string;
  externalPayloads?: { sizeBytes: string }[];
}

export function payloadToJson(payload: Payload): PayloadJson {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  const json: PayloadJson = { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
  const external = payload.externalPayloads ?? [];
  if (external.length > 0) json.externalPayloads = external.map((e) => ({ sizeBytes: String(e.sizeBytes ?? 0) }));
  return json;
}

type ExternalSize = NonNullable<Payload['externalPayloads']>[number]['sizeBytes'];
const base64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** How an error names a metadata key: `metadata.encoding`, or quoted (`metadata["a\\nb"]`) when it is not a plain name, so no raw control character reaches a message. */
function metadataField(key: string): string {
  return /^[\w.-]{1,100}$/.test(key) ? `metadata.${key}` : `metadata[${JSON.stringify(key.slice(0, 100))}]`;
}

function bytesOf(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !base64.test(value)) throw new Error(`${field}: expected base64 text`);
  return Buffer.from(value, 'base64');
}

/**
 * Parses one proto3 JSON Payload (accepting the proto field names too, as proto3 JSON parsers
 * must). Unknown fields are ignored. Throws `<field>: <reason>`.
 */
export function payloadFromJson(json: Record<string, unknown>): Payload {
  const payload: Payload = {};
  const metadata = json.metadata;
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error('metadata: expected an object of base64 values');
    payload.metadata = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, bytesOf(v, metadataField(k))]));
  }
  if (json.data !== undefined && json.data !== null) payload.data = bytesOf(json.data, 'data');
  const external = json.externalPayloads ?? json.external_payloads;
  if (external !== undefined && external !== null) {
    if (!Array.isArray(external)) throw new Error('externalPayloads: expected an array');
    payload.externalPayloads = external.map((e: unknown, j) => {
      const size = typeof e === 'object' && e !== null ? ((e as Record<string, unknown>).sizeBytes ?? (e as Record<string, unknown>).size_bytes ?? 0) : undefined;
      if (!((typeof size === 'string' && /^\d+$/.test(size)) || (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0))) {
        throw new Error(`externalPayloads[${j}].sizeBytes: expected a non-negative integer`);
      }
      // protobufjs writes a number as int64; the generated type only names Long.
      return { sizeBytes: Number(size) as unknown as ExternalSize };
    });
  }
  return payload;
}

function asRejection(err: unknown): CodecRejection {
  if (err instanceof CodecRejection) return err;
  const e = err as { status?: unknown; type?: unknown; message?: unknown };
  if (e?.type === 'entity.too.large') return new CodecRejection(413, 'payload_too_large', 'the body is larger than 4 MB');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new CodecRejection(e.status, 'bad_request', String(e.message));
  throw err;
}

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Made on this machine, to a loopback name (not a rebinding DNS name), not relayed by a proxy, from an allowed origin or none. */
function isLocalDevRequest(req: Request, origins: ReadonlySet<string>): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const peerIsLoopback = peer === '::1' || (isIP(peer.replace(/^::ffff:/, '')) === 4 && peer.replace(/^::ffff:/, '').startsWith('127.'));
  if (!peerIsLoopback || req.get('x-forwarded-for') !== undefined || req.get('forwarded') !== undefined) return false;
  const host = (req.get('host') ?? '').replace(/:\d+$/, '').toLowerCase();
  if (!loopbackNames.has(host)) return false;
  const origin = req.get('origin');
  return origin === undefined || origins.has(origin);
}
