/**
 * The REST side of one GitHub organisation: JsonHttpClient with GitHub's headers, rate limits
 * and error bodies, the organisation's paths (with a label wherever a login travels in one), body
 * parsing and Link paging. The connector's operations are built from these calls.
 */
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import { JsonHttpClient, nextLink, type HttpMethod, type JsonResponse, type RequestOptions, type ConnectorTransport } from '../http';
import { GITHUB_API_VERSION, GITHUB_MEDIA_TYPE, githubErrorMessage, isGithubNotFound, orgMembershipSchema, type OrgMembership } from './convert';
import { githubBucketOf, githubRetryAfterMs, isGithubRateLimited, withPacerHeaders } from './rate-limits';

export interface GithubClientOptions extends ConnectorTransport {
  id: string;
  /** https://api.github.com, or a GitHub Enterprise Cloud data-residency API host. */
  baseUrl: string;
  org: string;
  /** A classic token with admin:org, or a GitHub App installation token (sent as a Bearer token). */
  token: string;
  /** Pages a listing may take before it is an error rather than a silently shortened list. */
  maxPages?: number;
}

export class GithubClient {
  readonly system: string;
  readonly org: string;
  readonly http: JsonHttpClient;
  private readonly maxPages: number;

  constructor(options: GithubClientOptions) {
    this.system = options.id;
    this.org = options.org;
    this.maxPages = options.maxPages ?? 2000;
    this.http = new JsonHttpClient({
      system: options.id,
      baseUrl: options.baseUrl,
      authorization: `Bearer ${options.token}`,
      mediaType: GITHUB_MEDIA_TYPE,
      retryAfterMs: githubRetryAfterMs,
      vendorMessage: githubErrorMessage,
      isVendorNotFound: isGithubNotFound,
      isRateLimited: isGithubRateLimited,
      timeoutMs: options.timeoutMs,
      fetch: withPacerHeaders(options.fetch),
      maxRetryAfterMs: options.maxRetryAfterMs,
      pacer: options.pacer,
      metrics: options.metrics,
      bucketOf: githubBucketOf,
      log: options.log,
    });
  }

  get orgPath(): string {
    return `/orgs/${encodeURIComponent(this.org)}`;
  }

  /** A path under the organisation; `label` is how errors show it when it carries a login. */
  path(rest: string): string {
    return `${this.orgPath}${rest}`;
  }

  request(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<JsonResponse> {
    return this.http.request(method, path, { ...options, headers: { ...options.headers, 'X-GitHub-Api-Version': GITHUB_API_VERSION } });
  }

  /** The user's organisation membership, or null when GitHub itself says there is none. */
  async membership(login: string): Promise<OrgMembership | null> {
    const res = await this.request('GET', this.path(`/memberships/${encodeURIComponent(login)}`), { accept: [404], label: this.label('/memberships/{username}') });
    if (res.status === 404) return this.vendorNotFound(res, 'GET', this.label('/memberships/{username}'), null);
    return this.parse(orgMembershipSchema, res, 'GET', this.label('/memberships/{username}'));
  }

  /** Whether GitHub has a user with this login (GET /users/{username}). */
  async userExists(login: string): Promise<boolean> {
    const res = await this.request('GET', `/users/${encodeURIComponent(login)}`, { accept: [404], label: '/users/{username}' });
    if (res.status === 404) return this.vendorNotFound(res, 'GET', '/users/{username}', false);
    return true;
  }

  /** Throws not_found, naming the account by its ID only, unless GitHub has the user. */
  async requireUser(login: string): Promise<void> {
    if (!(await this.userExists(login))) throw this.accountNotFound();
  }

  accountNotFound(): ConnectorError {
    return new ConnectorError('not_found', `${this.system}: GitHub has no such user (the account ID is a login, so it is not repeated here)`, this.system, 404);
  }

  /** `value` when the 404 is GitHub's own "Not Found"; otherwise the outage the 404 stands for. */
  vendorNotFound<T>(res: JsonResponse, method: HttpMethod, shownPath: string, value: T): T {
    if (this.http.isVendorNotFound(res)) return value;
    throw this.http.toError(method, shownPath, res);
  }

  /**
   * Every item of a listing, page by page (`per_page`, then Link rel="next"); a page that fails
   * or does not parse throws, and more than maxPages is an error, never a shortened list.
   */
  async *pages<S extends z.ZodType<unknown[]>>(schema: S, path: string, query: RequestOptions['query'], shownPath: string, accept404 = false): AsyncGenerator<z.infer<S>, 'not_found' | 'done'> {
    let res = await this.request('GET', path, { query, label: shownPath, ...(accept404 ? { accept: [404] } : {}) });
    if (res.status === 404) return this.vendorNotFound(res, 'GET', shownPath, 'not_found' as const);
    for (let page = 1; ; page++) {
      yield this.parse(schema, res, 'GET', shownPath);
      const next = nextLink(res.headers);
      if (!next) return 'done';
      if (page >= this.maxPages) {
        throw new ConnectorError('unavailable', `${this.system}: GET ${shownPath} still had more after ${this.maxPages} pages; refusing a partial list`, this.system);
      }
      res = await this.request('GET', next, { label: shownPath });
    }
  }

  parse<S extends z.ZodType>(schema: S, res: JsonResponse, method: HttpMethod, shownPath: string): z.infer<S> {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.system}: ${method} ${shownPath} answered ${res.status} with an unexpected body`, this.system, res.status);
  }

  /** GitHub answers these 204 with no body; a 200 page (from a proxy) did not do them. */
  expectNoContent(res: JsonResponse, method: HttpMethod, shownPath: string): void {
    if (res.status === 204 || res.body === undefined) return;
    throw new ConnectorError('unavailable', `${this.system}: ${method} ${shownPath} answered ${res.status} with a body where GitHub sends none`, this.system, res.status);
  }

  label(rest: string): string {
    return `${this.orgPath}${rest}`;
  }
}
