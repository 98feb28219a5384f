/**
 * Google's OAuth 2.0 token endpoint as it answers a service account's JWT bearer grant: the
 * assertion's RS256 signature checked with the service account's public key (by `kid`), its claims
 * (aud is this endpoint, a lifetime of at most an hour around now, sub an existing user), and every
 * requested scope delegated to the client (domain-wide delegation), with Google's error bodies:
 * 400 invalid_grant for a bad signature, claim or subject, 401 unauthorized_client for a scope not
 * delegated. Access tokens it issues carry the granted scopes and the subject.
 */
import { randomBytes, verify, type KeyObject } from 'node:crypto';
import type { Request, Response } from 'express';

export interface ServiceAccountClient {
  clientEmail: string;
  clientId: string;
  /** Public keys by private_key_id. */
  keys: Map<string, KeyObject>;
  /** Scopes granted to clientId under domain-wide delegation. */
  delegated: Set<string>;
}

export interface IssuedAccessToken {
  clientId: string;
  /** The subject's primary email, as the assertion named it. */
  subject: string;
  scopes: Set<string>;
  expiresAtMs: number;
}

export interface TokenEndpointState {
  clients: Map<string, ServiceAccountClient>;
  tokens: Map<string, IssuedAccessToken>;
  /** Whether the assertion's `sub` names a user of the domain. */
  userExists(email: string): boolean;
  /** The endpoint's own URL, which `aud` must equal. */
  url(): string;
  lifetimeSeconds: number;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
const NOT_DELEGATED = 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.';
/** How far ahead of our clock an iat may be before it is unreasonable. */
const CLOCK_SKEW_S = 300;

interface Claims {
  iss?: unknown;
  sub?: unknown;
  scope?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function tokenEndpoint(state: TokenEndpointState) {
  return (req: Request, res: Response): void => {
    if (!req.is('application/x-www-form-urlencoded')) return oauthError(res, 400, 'invalid_request', 'Invalid request: the body must be application/x-www-form-urlencoded.');
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (form.grant_type !== JWT_BEARER) return oauthError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${String(form.grant_type ?? '')}`);
    if (typeof form.assertion !== 'string') return oauthError(res, 400, 'invalid_request', 'Missing required parameter: assertion');
    const parts = form.assertion.split('.');
    const header = decodePart(parts[0]);
    const claims = decodePart(parts[1]) as Claims | undefined;
    if (parts.length !== 3 || !header || !claims) return oauthError(res, 400, 'invalid_grant', 'Invalid JWT: the assertion is not a signed JWT.');
    const client = typeof claims.iss === 'string' ? state.clients.get(claims.iss) : undefined;
    if (!client) return oauthError(res, 400, 'invalid_grant', 'Invalid grant: account not found');
    const key = typeof header.kid === 'string' ? client.keys.get(header.kid) : undefined;
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    if (header.alg !== 'RS256' || !key || !verify('sha256', signed, key, Buffer.from(parts[2]!, 'base64url'))) {
      return oauthError(res, 400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    if (claims.aud !== state.url()) return oauthError(res, 400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    const nowS = Date.now() / 1000;
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= nowS || iat > nowS + CLOCK_SKEW_S) {
      return oauthError(res, 400, 'invalid_grant', SHORT_LIVED);
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) return oauthError(res, 400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    if (typeof claims.sub !== 'string' || !state.userExists(claims.sub)) return oauthError(res, 400, 'invalid_grant', 'Invalid email or User ID');
    if (!scopes.every((s) => client.delegated.has(s))) return oauthError(res, 401, 'unauthorized_client', NOT_DELEGATED);
    const accessToken = `ya29.${randomBytes(48).toString('base64url')}`;
    state.tokens.set(accessToken, { clientId: client.clientId, subject: claims.sub.toLowerCase(), scopes: new Set(scopes), expiresAtMs: Date.now() + state.lifetimeSeconds * 1000 });
    res.set('Cache-Control', 'no-store').json({ access_token: accessToken, expires_in: state.lifetimeSeconds, token_type: 'Bearer' });
  };
}
