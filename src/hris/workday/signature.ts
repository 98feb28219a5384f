import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Authentication of the notification a Workday business-process Integration step posts:
 *   signed  X-Workday-Signature = hex HMAC-SHA256(secret, timestamp + "." + raw body), optionally
 *           prefixed "sha256=", and X-Workday-Timestamp = unix seconds;
 *   basic   Authorization: Basic base64(username:password), for tenants that can only do that.
 * Pure: the clock is injected.
 */
export type WorkdaySignatureFailure = 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'bad_timestamp';
export type WorkdaySignatureCheck = { ok: true } | { ok: false; code: WorkdaySignatureFailure };

export type WorkdayBasicFailure = 'missing_credentials' | 'bad_credentials';
export type WorkdayBasicCheck = { ok: true } | { ok: false; code: WorkdayBasicFailure };

/** Default accepted distance between X-Workday-Timestamp and now, either way. */
export const defaultWorkdaySignatureWindowMs = 5 * 60_000;

export interface VerifyWorkdaySignatureInput {
  secret: string;
  rawBody: Buffer;
  /** Value of X-Workday-Signature. */
  signature?: string;
  /** Value of X-Workday-Timestamp. */
  timestamp?: string;
  now: Date;
  /** Largest accepted distance between the timestamp and now, either way; default 5 minutes. */
  windowMs?: number;
}

export function verifyWorkdaySignature(input: VerifyWorkdaySignatureInput): WorkdaySignatureCheck {
  const signature = input.signature?.trim().replace(/^sha256=/i, '');
  const timestamp = input.timestamp?.trim();
  if (!signature || !timestamp) return { ok: false, code: 'missing_signature' };

  const sentAt = parseWorkdayTimestamp(timestamp);
  if (sentAt === undefined) return { ok: false, code: 'bad_timestamp' };

  // The MAC is checked before the age, so stale_timestamp only ever describes a genuine but
  // old (replayed or long-delayed) delivery, never a forgery.
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, code: 'bad_signature' };
  const given = Buffer.from(signature, 'hex');
  const expected = workdayHmac(input.secret, input.rawBody, timestamp);
  if (!timingSafeEqual(given, expected)) return { ok: false, code: 'bad_signature' };

  const windowMs = input.windowMs ?? defaultWorkdaySignatureWindowMs;
  if (Math.abs(input.now.getTime() - sentAt) > windowMs) return { ok: false, code: 'stale_timestamp' };
  return { ok: true };
}

/** Hex signature a Workday sender puts in X-Workday-Signature (for peers and tests). */
export function signWorkdayBody(secret: string, rawBody: Buffer | string, timestamp: string): string {
  return workdayHmac(secret, typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody, timestamp).toString('hex');
}

function workdayHmac(secret: string, rawBody: Buffer, timestamp: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest();
}

/** Epoch milliseconds of an X-Workday-Timestamp value (whole unix seconds), or undefined. */
export function parseWorkdayTimestamp(value: string): number | undefined {
  const text = value.trim();
  // Eleven digits reach the year 5138; a longer value is milliseconds or garbage, not seconds.
  if (!/^\d{1,11}$/.test(text)) return undefined;
  return Number(text) * 1000;
}

/**
 * Checks an Authorization header against the expected Basic credentials. Both the user name
 * and the password are compared in constant time, and both are always compared, so the answer
 * time tells nothing about which one was wrong. A header that is absent, or of another
 * scheme, is missing_credentials; a Basic header that cannot be decoded is bad_credentials.
 */
export function verifyWorkdayBasic(authorization: string | undefined, expected: { username: string; password: string }): WorkdayBasicCheck {
  const header = authorization?.trim();
  if (!header) return { ok: false, code: 'missing_credentials' };
  const match = /^basic(?:\s+(.*))?$/i.exec(header);
  if (!match) return { ok: false, code: 'missing_credentials' };
  const token = match[1]?.trim() ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) return { ok: false, code: 'bad_credentials' };
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, code: 'bad_credentials' };

  const userOk = sameSecret(decoded.slice(0, colon), expected.username);
  const passwordOk = sameSecret(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk && expected.password.length > 0 ? { ok: true } : { ok: false, code: 'bad_credentials' };
}

/** Authorization header value for these credentials (for peers and tests). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Constant-time equality of two strings of any lengths: their digests are compared. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
