/**
 * Access tokens for a service account acting as a Workspace admin (domain-wide delegation), by
 * the JWT bearer grant (RFC 7523) as Google documents it for server-to-server apps: an RS256-signed
 * JWT with iss = the service account, sub = the admin it impersonates, the scope, aud = the token
 * endpoint and a lifetime of at most an hour, posted as a form.
 */
import { sign } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { IssuedToken } from '../token-cache';
import type { ServiceAccountKey } from './key';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google refuses assertions that live longer than an hour. */
const ASSERTION_LIFETIME_S = 3600;

export interface JwtGrantOptions {
  system: string;
  tokenUrl: string;
  key: ServiceAccountKey;
  /** The admin user the service account acts as. */
  subject: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** The token endpoint refused the grant; `oauthError` is its `error` (unauthorized_client: the scope is not delegated). */
export class TokenRefusedError extends ConnectorError {
  constructor(
    system: string,
    message: string,
    readonly oauthError: string,
    readonly scope: string,
  ) {
    // Reported as a 401 whatever the endpoint's status (Google answers invalid_grant with a 400):
    // the credentials are what is wrong, exactly as when an API answers 401.
    super('unauthorized', message, system, 401);
  }
}

const tokenAnswerSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive(), token_type: z.string().optional() });
const tokenErrorSchema = z.object({ error: z.string().min(1), error_description: z.string().optional() });

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** The signed assertion for one scope (space-separated scopes also work; we ask for one at a time). */
export function jwtAssertion(key: ServiceAccountKey, subject: string, scope: string, audience: string, nowSeconds: number): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(key.keyId ? { kid: key.keyId } : {}) };
  const claims = { iss: key.clientEmail, sub: subject, scope, aud: audience, iat: nowSeconds, exp: nowSeconds + ASSERTION_LIFETIME_S };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** One access token for `scope`, or a ConnectorError (never with the assertion or a token in it). */
export async function fetchAccessToken(options: JwtGrantOptions, scope: string): Promise<IssuedToken> {
  const { system, tokenUrl } = options;
  const now = options.now ?? Date.now;
  const assertion = jwtAssertion(options.key, options.subject, scope, tokenUrl, Math.floor(now() / 1000));
  const where = new URL(tokenUrl);
  const label = `${system}: POST ${where.origin}${where.pathname}`;
  let status: number;
  let text: string;
  try {
    const res = await (options.fetch ?? globalThis.fetch)(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: 'error',
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new ConnectorError('unavailable', `${label} ${timedOut ? 'timed out' : 'failed'} getting an access token`, system);
  }
  const body = parseJson(text);
  if (status === 200) {
    const answer = tokenAnswerSchema.safeParse(body);
    if (answer.success) return { accessToken: answer.data.access_token, expiresInSeconds: answer.data.expires_in };
    throw new ConnectorError('unavailable', `${label} answered 200 without an access token`, system, 200);
  }
  const refusal = tokenErrorSchema.safeParse(body);
  if ((status === 400 || status === 401) && refusal.success) {
    const { error, error_description: description } = refusal.data;
    const said = `${error}${description ? ` (${description})` : ''}`;
    const clientId = options.key.clientId ?? 'of the service account';
    const message =
      error === 'unauthorized_client'
        ? `${label} refused a token for scope ${scope}: ${said}; the scope must be granted to client ${clientId} under domain-wide delegation`
        : `${label} refused the service account's assertion: ${said}`;
    throw new TokenRefusedError(system, message, error, scope);
  }
  if (status === 429) throw new ConnectorError('rate_limited', `${label} answered 429`, system, 429, 1000);
  throw new ConnectorError('unavailable', `${label} answered ${status} without Google's token error body`, system, status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
