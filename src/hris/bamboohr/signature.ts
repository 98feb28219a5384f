import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * BambooHR signs each webhook POST with X-BambooHR-Signature = hex HMAC-SHA256(private key,
 * raw body + value of X-BambooHR-Timestamp). Pure: the clock is injected.
 */
export type SignatureFailureCode = 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'bad_timestamp';

export type SignatureCheck = { ok: true } | { ok: false; code: SignatureFailureCode };

export interface VerifyBambooSignatureInput {
  secret: string;
  rawBody: Buffer;
  /** Value of X-BambooHR-Signature. */
  signature?: string;
  /** Value of X-BambooHR-Timestamp. */
  timestamp?: string;
  now: Date;
  /** Largest accepted distance between the timestamp and now, either way. */
  windowMs: number;
}

export function verifyBambooSignature(input: VerifyBambooSignatureInput): SignatureCheck {
  const signature = input.signature?.trim();
  const timestamp = input.timestamp?.trim();
  if (!signature || !timestamp) return { ok: false, code: 'missing_signature' };

  const sentAt = parseBambooTimestamp(timestamp);
  if (sentAt === undefined) return { ok: false, code: 'bad_timestamp' };

  // The MAC is checked before the age, so stale_timestamp only ever describes a genuine but
  // old (replayed or long-delayed) delivery, never a forgery.
  if (!/^[0-9a-fA-F]+$/.test(signature) || signature.length % 2 !== 0) return { ok: false, code: 'bad_signature' };
  const given = Buffer.from(signature, 'hex');
  const expected = bambooHmac(input.secret, input.rawBody, input.timestamp ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'bad_signature' };

  if (Math.abs(input.now.getTime() - sentAt) > input.windowMs) return { ok: false, code: 'stale_timestamp' };
  return { ok: true };
}

/** Hex signature a BambooHR sender would put in X-BambooHR-Signature (for peers and tests). */
export function signBambooBody(secret: string, rawBody: Buffer | string, timestamp: string): string {
  return bambooHmac(secret, typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody, timestamp).toString('hex');
}

function bambooHmac(secret: string, rawBody: Buffer, timestamp: string): Buffer {
  // The header value is signed exactly as sent, so it is hashed untrimmed.
  return createHmac('sha256', secret).update(rawBody).update(timestamp, 'utf8').digest();
}

/**
 * Epoch milliseconds of an X-BambooHR-Timestamp value, or undefined. BambooHR documents the
 * header only as "the timestamp when the request was sent"; senders use unix seconds, and
 * ISO-8601 (as in BambooHR payloads, e.g. 2026-01-31T18:42:00+0000) is accepted too. Numbers
 * of up to eleven digits are seconds, longer ones milliseconds. ISO values must carry a
 * zone (Z or an offset): a zoneless time is ambiguous and rejected.
 */
export function parseBambooTimestamp(value: string): number | undefined {
  const text = value.trim();
  if (/^\d{1,16}$/.test(text)) {
    const n = Number(text);
    return text.length >= 12 ? n : n * 1000;
  }
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/i.exec(text);
  if (!iso) return undefined;
  const zone = iso[2]!.toUpperCase() === 'Z' ? 'Z' : iso[2]!.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${iso[1]}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}
