import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken, ApiTokens, Role } from '../api/auth';

/**
 * The console's sign-in session. Signing in presents an API token once; the browser then keeps
 * a cookie that holds a signed session, never the token:
 *   base64url(JSON {v, role, name?, token fingerprint, expires, id}) "." base64url(HMAC-SHA256)
 * The MAC key is derived from the configured tokens, so every `jml server` with the same
 * JML_API_TOKENS accepts the cookie and changing the tokens ends every session. A session also
 * ends when the token it was opened with is removed, or its role changes (checked on every
 * request), and after `sessionMaxAgeMs`. The CSRF token of a session is a MAC of its ID.
 */

export const sessionCookie = 'jml_console';
export const sessionMaxAgeMs = 8 * 60 * 60 * 1000;

export interface ConsoleSession {
  role: Role;
  /** The token's name, when JML_API_TOKENS gives one. */
  name?: string;
  /** Who the console records as having acted: `console:<role>[:<name>]`. */
  actor: string;
  /** Random; the CSRF token is derived from it. */
  id: string;
  expiresAt: number;
}

interface Payload {
  v: 1;
  r: Role;
  n?: string;
  /** First 16 bytes of the token's SHA-256, hex: which token opened the session. */
  t: string;
  e: number;
  s: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const fingerprint = (token: string) => sha256(token).subarray(0, 16).toString('hex');
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class ConsoleSessions {
  private readonly key: Buffer;
  private readonly byDigest: { hash: Buffer; fingerprint: string; token: ApiToken }[];

  constructor(
    tokens: ApiTokens,
    private readonly now: () => number = Date.now,
  ) {
    const entries = [...tokens];
    this.byDigest = entries.map(([token, t]) => ({ hash: sha256(token), fingerprint: fingerprint(token), token: t }));
    const material = entries.map(([token, t]) => `${t.role}:${t.name ?? ''}:${sha256(token).toString('hex')}`).sort().join('\n');
    this.key = createHmac('sha256', 'jml-console-session-v1').update(material).digest();
  }

  /** True when no token is configured: nobody can sign in. */
  get closed(): boolean {
    return this.byDigest.length === 0;
  }

  /** The cookie value for a presented token, or undefined when it is not a configured token. */
  open(presented: string): { cookie: string; session: ConsoleSession } | undefined {
    const digest = sha256(presented);
    const holder = this.byDigest.find((k) => timingSafeEqual(k.hash, digest));
    if (!holder) return undefined;
    const payload: Payload = {
      v: 1,
      r: holder.token.role,
      ...(holder.token.name ? { n: holder.token.name } : {}),
      t: holder.fingerprint,
      e: this.now() + sessionMaxAgeMs,
      s: randomBytes(16).toString('base64url'),
    };
    const body = b64(JSON.stringify(payload));
    return { cookie: `${body}.${this.mac(body)}`, session: toSession(payload) };
  }

  /** The session a cookie value carries, or undefined when it is forged, expired or its token is gone. */
  read(cookie: string | undefined): ConsoleSession | undefined {
    if (!cookie) return undefined;
    const dot = cookie.indexOf('.');
    if (dot <= 0) return undefined;
    const body = cookie.slice(0, dot);
    const given = Buffer.from(cookie.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return undefined;
    }
    if (payload.v !== 1 || typeof payload.e !== 'number' || payload.e <= this.now()) return undefined;
    const holder = this.byDigest.find((k) => k.fingerprint === payload.t);
    if (!holder || holder.token.role !== payload.r || (holder.token.name ?? undefined) !== payload.n) return undefined;
    return toSession(payload);
  }

  /** The CSRF token every form of this session carries. */
  csrfToken(session: ConsoleSession): string {
    return this.mac(`csrf:${session.id}`);
  }

  csrfValid(session: ConsoleSession, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const given = Buffer.from(presented);
    const expected = Buffer.from(this.csrfToken(session));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

function toSession(p: Payload): ConsoleSession {
  return { role: p.r, ...(p.n ? { name: p.n } : {}), actor: p.n ? `console:${p.r}:${p.n}` : `console:${p.r}`, id: p.s, expiresAt: p.e };
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value: HttpOnly, SameSite=Strict, scoped to /console, Secure when served over TLS. */
export function sessionCookieHeader(value: string, secure: boolean, maxAgeMs = sessionMaxAgeMs): string {
  return [`${sessionCookie}=${value}`, 'Path=/console', `Max-Age=${Math.floor(maxAgeMs / 1000)}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}
