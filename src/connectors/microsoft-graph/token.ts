/**
 * App-only access to Graph: the OAuth 2.0 client-credentials grant against the Microsoft identity
 * platform (POST {authority}/{tenant}/oauth2/v2.0/token, a form body with the client id and secret
 * and scope https://graph.microsoft.com/.default), the token held in the shared cache and handed to
 * JsonHttpClient as an AuthorizationSource (a 401 drops it and the request goes once more with a
 * fresh one). The client secret never appears in a message; the token endpoint's errors
 * (`{error, error_description}`) are reported by their code and AADSTS number only.
 */
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { AuthorizationSource } from '../http';
import { TokenCache, type IssuedToken } from '../token-cache';
import { retryAfterValueMs } from './convert';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface ClientCredentials {
  system: string;
  /** e.g. https://login.microsoftonline.com */
  authority: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive(), token_type: z.string() });
const aadErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export class GraphTokenSource implements AuthorizationSource {
  readonly cache: TokenCache;
  private readonly tokenUrl: URL;

  constructor(private readonly credentials: ClientCredentials) {
    this.tokenUrl = new URL(`${credentials.authority.replace(/\/+$/, '')}/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`);
    this.cache = new TokenCache({ fetchToken: () => this.fetchToken(), now: credentials.now });
  }

  async header(): Promise<string> {
    return `Bearer ${await this.cache.get()}`;
  }

  refused(header: string): void {
    this.cache.invalidate(header.slice('Bearer '.length));
  }

  /** The current access token (fetched if need be), for reading its claims. */
  token(): Promise<string> {
    return this.cache.get();
  }

  private async fetchToken(): Promise<IssuedToken> {
    const { system, clientId, clientSecret } = this.credentials;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: GRAPH_SCOPE });
    const where = `${system}: token request to ${this.tokenUrl.origin}`;
    let res: Response;
    let text: string;
    try {
      res = await (this.credentials.fetch ?? globalThis.fetch)(this.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.credentials.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      text = await res.text();
    } catch (err) {
      throw new ConnectorError('unavailable', this.scrub(`${where} failed: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`), system);
    }
    const body = parseJson(text);
    if (res.ok) {
      const parsed = tokenSchema.safeParse(body);
      if (!parsed.success || parsed.data.token_type.toLowerCase() !== 'bearer') {
        throw new ConnectorError('unavailable', `${where} answered ${res.status} without a bearer token`, system, res.status);
      }
      return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in };
    }
    const aad = aadErrorSchema.safeParse(body);
    const reason = aad.success ? `${aad.data.error}${aadCode(aad.data.error_description)}` : 'no error body from the identity platform';
    const message = this.scrub(`${where} answered ${res.status}: ${reason}`);
    if (res.status === 429 || (res.status === 503 && res.headers.get('retry-after'))) {
      throw new ConnectorError('rate_limited', message, system, res.status, retryAfterValueMs(res.headers.get('retry-after'), Date.now()) ?? 1000);
    }
    // A 4xx from the identity platform is about our tenant, client id, secret or scope: retrying will not help.
    if (res.status >= 400 && res.status < 500 && aad.success) throw new ConnectorError('unauthorized', message, system, res.status);
    throw new ConnectorError('unavailable', message, system, res.status);
  }

  private scrub(text: string): string {
    const secret = this.credentials.clientSecret;
    return secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
  }
}

/** " (AADSTS7000215)": the error's number, not its description, which names the app and echoes input. */
function aadCode(description: string | undefined): string {
  const match = description ? /AADSTS\d+/.exec(description) : null;
  return match ? ` (${match[0]})` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The application permissions (app roles) an app-only access token carries, from its `roles`
 * claim. Read without checking the signature: Graph checks it, and this only tells an operator what
 * was consented.
 */
export function rolesOf(accessToken: string): string[] | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    if (claims.roles === undefined) return [];
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : undefined;
  } catch {
    return undefined;
  }
}
