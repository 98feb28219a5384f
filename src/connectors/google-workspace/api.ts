/**
 * The Directory API as the connector calls it: one JSON client per OAuth scope (each with its own
 * cached token from the JWT bearer grant), sharing the system's pacer, plus the parsing and
 * "did Google itself say not found" helpers every call needs.
 */
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import { JsonHttpClient, type HttpMethod, type JsonResponse, type RequestOptions, type ConnectorTransport } from '../http';
import { TokenCache } from '../token-cache';
import { googleErrorMessage, googleRetryAfterMs, isGoogleNotFound, isGoogleRateLimited } from './convert';
import type { ServiceAccountKey } from './key';
import { SCOPES, type ScopeName } from './scopes';
import { fetchAccessToken } from './token';

export const API = '/admin/directory/v1';
export const USERS = `${API}/users`;
export const GROUPS = `${API}/groups`;

export interface DirectoryApiOptions extends ConnectorTransport {
  system: string;
  key: ServiceAccountKey;
  adminSubject: string;
  tokenUrl: string;
  baseUrl: string;
  sleep?: (ms: number) => Promise<void>;
}

export class DirectoryApi {
  readonly system: string;
  readonly location: string;
  readonly tokens: Record<ScopeName, TokenCache>;
  private readonly clients: Record<ScopeName, JsonHttpClient>;

  constructor(options: DirectoryApiOptions) {
    this.system = options.system;
    const grant = { system: options.system, tokenUrl: options.tokenUrl, key: options.key, subject: options.adminSubject, timeoutMs: options.timeoutMs, fetch: options.fetch };
    const names = Object.keys(SCOPES) as ScopeName[];
    this.tokens = Object.fromEntries(names.map((name) => [name, new TokenCache({ fetchToken: () => fetchAccessToken(grant, SCOPES[name]) })])) as Record<ScopeName, TokenCache>;
    this.clients = Object.fromEntries(
      names.map((name) => {
        const cache = this.tokens[name];
        return [
          name,
          new JsonHttpClient({
            system: options.system,
            baseUrl: options.baseUrl,
            authorization: { header: async () => `Bearer ${await cache.get()}`, refused: (header) => cache.invalidate(header.replace(/^Bearer /, '')) },
            mediaType: 'application/json',
            retryAfterMs: googleRetryAfterMs,
            vendorMessage: googleErrorMessage,
            isVendorNotFound: isGoogleNotFound,
            isRateLimited: isGoogleRateLimited,
            timeoutMs: options.timeoutMs,
            fetch: options.fetch,
            maxRetryAfterMs: options.maxRetryAfterMs,
            pacer: options.pacer,
            metrics: options.metrics,
            log: options.log,
            sleep: options.sleep,
          }),
        ];
      }),
    ) as Record<ScopeName, JsonHttpClient>;
    this.location = this.clients.user.location;
  }

  /** One call, with the token of the scope the method needs; `accept` statuses come back, the rest throw. */
  call(scope: ScopeName, method: HttpMethod, path: string, options: RequestOptions = {}): Promise<JsonResponse> {
    return this.clients[scope].request(method, path, options);
  }

  isNotFound(response: JsonResponse): boolean {
    return this.clients.user.isVendorNotFound(response);
  }

  toError(method: HttpMethod, path: string, response: JsonResponse): ConnectorError {
    return this.clients.user.toError(method, path, response);
  }

  /** not_found when Google itself said the user is missing; otherwise the outage the answer stands for. */
  missingUserOr(response: JsonResponse, method: HttpMethod, path: string, accountId: string): ConnectorError {
    if (!this.isNotFound(response)) return this.toError(method, path, response);
    return userNotFound(this.system, accountId);
  }

  parse<S extends z.ZodType>(schema: S, response: JsonResponse, method: HttpMethod, path: string): z.infer<S> {
    const parsed = schema.safeParse(response.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.system}: ${method} ${path} answered ${response.status} with an unexpected body`, this.system, response.status);
  }

  /** Google answers signOut and deletes 204 with no body; anything else (a proxy's 200 page) did not do them. */
  expectNoContent(response: JsonResponse, method: HttpMethod, path: string): void {
    if (response.body === undefined) return;
    throw new ConnectorError('unavailable', `${this.system}: ${method} ${path} answered ${response.status} with a body where Google sends none`, this.system, response.status);
  }
}

export function userNotFound(system: string, accountId: string): ConnectorError {
  return new ConnectorError('not_found', `${system}: user ${accountId} not found`, system, 404);
}

export function userPath(key: string): string {
  return `${USERS}/${encodeURIComponent(key)}`;
}
