/**
 * A small JSON client over global fetch shared by the HTTP connectors. It owns what every
 * vendor has in common: base URL and auth header, a per-request timeout, short inline waits
 * on 429, and turning HTTP answers into ConnectorError codes. Vendor quirks (where the wait
 * comes from, where the error text lives) are passed in by each connector.
 */
import { personalPartsOf, redactPath, scrubPersonal } from '../personal-data';
import { ConnectorError, type ConnectorErrorCode } from './errors';
import { bucketOf, type Pacer } from './pacer';
import { isEndingSessions } from './urgency';

/**
 * How long a 429 answer asks us to wait, in ms; undefined when the answer does not say. `attempt`
 * counts the refusals of this request so far (0 for the first), for vendors that send no wait
 * and ask for exponential backoff instead (Google).
 */
export type RetryAfterReader = (headers: Headers, nowMs: number, attempt: number) => number | undefined;
/** The vendor's human-readable error text from a parsed error body, if any. */
export type VendorMessageReader = (body: unknown) => string | undefined;
/** Where a connector reports what an operator should know about (the app logger fits). */
export interface ConnectorLog {
  warn(obj: object, msg?: string): void;
}

/**
 * Told of every request a connector sends: its system, operation (method and path template, never
 * a login) and status (the HTTP status, or timeout / network), and of every rate-limited answer.
 */
export interface ConnectorMetrics {
  request(system: string, operation: string, status: string, seconds: number): void;
  rateLimited(system: string): void;
}

/** What every HTTP connector takes from the registry besides its own settings (ConnectorContext). */
export interface ConnectorTransport {
  /** Where each request is counted and timed (the process's Prometheus series). */
  metrics?: ConnectorMetrics;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Longest wait a rate-limit answer may ask of us; longer asks are capped and logged. */
  maxRetryAfterMs?: number;
  /** Paces requests under the system's limits (src/connectors/pacer.ts). */
  pacer?: Pacer;
  log?: ConnectorLog;
}

export interface JsonHttpClientOptions {
  /** Connector id, named in every error. */
  system: string;
  baseUrl: string;
  /**
   * Full Authorization header value, or a source of short-lived ones (OAuth access tokens). Never
   * logged and scrubbed from every message. A source's value the system answers 401 to is
   * reported refused and the request is sent once more with a fresh one.
   */
  authorization: string | AuthorizationSource;
  /** Sent as Accept and, with a body, Content-Type. */
  mediaType: string;
  retryAfterMs: RetryAfterReader;
  vendorMessage: VendorMessageReader;
  /**
   * Whether a 404 body is the vendor's own "not found" error. A 404 without it (a proxy, a wrong
   * base URL, a gateway's page) is an outage, 'unavailable', never a 'not_found' someone could
   * take for "the account is gone".
   */
  isVendorNotFound: (body: unknown) => boolean;
  /**
   * Whether a non-429 answer is the vendor's way of saying "rate limited" (GitHub's 403 with
   * x-ratelimit-remaining: 0 or retry-after, Google's 403 rateLimitExceeded): it is then waited on
   * and retried like a 429, and thrown as rate_limited.
   */
  isRateLimited?: (response: JsonResponse) => boolean;
  timeoutMs?: number;
  /** Longest 429 wait served inline; longer ones are thrown as rate_limited for the caller's retry policy. */
  maxInlineWaitMs?: number;
  /**
   * Longest wait a 429 may ask of us (default 5 min). A server asking for more (a broken or hostile
   * Retry-After, a reset far in the future) is capped and logged, so a leaver is never parked for hours.
   */
  maxRetryAfterMs?: number;
  log?: ConnectorLog;
  /** Paces requests under the system's concurrency, budget and reported rate-limit buckets. */
  pacer?: Pacer;
  metrics?: ConnectorMetrics;
  /** The system's rate-limit bucket for a request (method, URL path); default: method and path template. */
  bucketOf?: (method: HttpMethod, pathname: string) => string;
  maxInlineRetries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface AuthorizationSource {
  /** The Authorization header value to send now (e.g. `Bearer <access token>`). */
  header(): Promise<string>;
  /** The system answered 401 to this value: drop it so the next header() fetches a new one. */
  refused(header: string): void;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Statuses the caller interprets itself (e.g. 404 = gone); they are returned, not thrown. */
  accept?: readonly number[];
  /** The path as errors may name it, when the real one carries personal data (e.g. /users/{login}). */
  label?: string;
  /** The system's rate-limit bucket this request counts against; default: method and path template. */
  bucket?: string;
  /** Sent as application/x-www-form-urlencoded instead of a JSON `body` (APIs that take only forms). */
  form?: Record<string, string>;
  /** Extra request headers (e.g. ConsistencyLevel, X-GitHub-Api-Version); never Authorization. */
  headers?: Record<string, string>;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** Logins and addresses the request's URL carried, scrubbed from any error text quoting the answer. */
  personal?: readonly string[];
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_INLINE_WAIT_MS = 5_000;
export const DEFAULT_MAX_INLINE_RETRIES = 3;
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;
/**
 * A request's operation as metrics label it: the method and the path as errors show it (a login
 * already `{login}`, a connector's own label where the path carries one), with anything that
 * looks like an ID, and the query, templated away: few values, none of them personal.
 */
export function operationOf(label: string): string {
  const space = label.indexOf(' ');
  return bucketOf(label.slice(0, space), stripQuery(label.slice(space + 1)));
}

/** A 429 without a usable hint still deserves a pause before the next try. */
const FALLBACK_RATE_LIMIT_WAIT_MS = 1_000;

export class JsonHttpClient {
  readonly system: string;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly secrets: string[];
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxInlineWaitMs: number;
  private readonly maxInlineRetries: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: JsonHttpClientOptions) {
    this.system = options.system;
    this.base = new URL(options.baseUrl);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.secrets = typeof options.authorization === 'string' ? secretsOf(options.authorization) : [];
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;
    this.maxInlineRetries = options.maxInlineRetries ?? DEFAULT_MAX_INLINE_RETRIES;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  }

  /** Where the system lives, without credentials or paths beyond the configured base. */
  get location(): string {
    return `${this.base.origin}${this.basePath}`;
  }

  get(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<JsonResponse> {
    return this.request('GET', path, options);
  }

  /**
   * `path` is relative to the base URL, or an absolute URL on the same origin (pagination
   * links); any other origin is refused so the credential never leaves the system.
   */
  async request(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<JsonResponse> {
    const url = this.resolve(path, options.query);
    // Errors and logs name the route, never the login a path segment carries (/users/{login}).
    const shownPath = options.label ? `${this.basePath}${options.label}` : redactPath(url.pathname);
    const label = `${method} ${shownPath}`;
    const bucket = options.bucket ?? (this.options.bucketOf ?? bucketOf)(method, url.pathname);
    let reauthorized = false;
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(method, url, label, options, bucket);
      if (response.status === 401 && response.sentAuthorization && !reauthorized) {
        // A short-lived token the system no longer takes (expired early, rotated): once more with a fresh one.
        reauthorized = true;
        (this.options.authorization as AuthorizationSource).refused(response.sentAuthorization);
        continue;
      }
      const limited = response.status === 429 || (!isSuccess(response.status) && this.options.isRateLimited?.(response) === true);
      if (limited) this.options.metrics?.rateLimited(this.system);
      if (!limited || options.accept?.includes(response.status)) {
        if (isSuccess(response.status) || options.accept?.includes(response.status)) return response;
        throw this.toError(method, shownPath, response);
      }
      const hinted = this.options.retryAfterMs(response.headers, this.now(), attempt);
      const waitMs = this.capWait(Math.max(0, hinted ?? FALLBACK_RATE_LIMIT_WAIT_MS), label);
      if (attempt >= this.maxInlineRetries || waitMs > this.maxInlineWaitMs) {
        throw this.toError(method, shownPath, response, waitMs);
      }
      await this.sleep(waitMs);
    }
  }

  /** A 404 that the vendor's API itself gave, with its own error body. */
  isVendorNotFound(response: JsonResponse): boolean {
    return response.status === 404 && this.options.isVendorNotFound(response.body);
  }

  /** The ConnectorError an HTTP answer stands for; connectors use it for answers they accepted but could not explain. */
  toError(method: HttpMethod, path: string, response: JsonResponse, retryAfterMs?: number): ConnectorError {
    if (response.status === 404 && !this.isVendorNotFound(response)) {
      const message = this.redact(`${this.system}: ${method} ${redactPath(stripQuery(path))} answered 404 without the system's own error body (wrong base URL or a gateway?)`, response.personal);
      return new ConnectorError('unavailable', message, this.system, 404);
    }
    const code = response.status !== 429 && !isSuccess(response.status) && this.options.isRateLimited?.(response) ? 'rate_limited' : codeForStatus(response.status);
    const vendor = this.options.vendorMessage(response.body);
    const wait = code === 'rate_limited' && retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : '';
    const detail = `${vendor ? `: ${vendor}` : ''}${wait}`;
    // The vendor's text may echo the login (Okta's errorSummary, a SCIM detail, Graph's UPN): scrubbed with the rest.
    const message = this.redact(`${this.system}: ${method} ${redactPath(stripQuery(path))} answered ${response.status}${detail}`, response.personal);
    return new ConnectorError(code, message, this.system, response.status, code === 'rate_limited' ? retryAfterMs : undefined);
  }

  /** The wait we will honour: what the server asked, at most maxRetryAfterMs (logged when capped). */
  private capWait(askedMs: number, label: string): number {
    if (askedMs <= this.maxRetryAfterMs) return askedMs;
    this.options.log?.warn(
      { system: this.system, method: label.slice(0, label.indexOf(' ')), askedMs, cappedMs: this.maxRetryAfterMs },
      'rate-limit wait asked by the system is longer than allowed; capped',
    );
    return this.maxRetryAfterMs;
  }

  private async send(method: HttpMethod, url: URL, label: string, options: RequestOptions, bucket: string): Promise<JsonResponse & { sentAuthorization?: string }> {
    const authorization = await this.authorizationHeader(label);
    const headers: Record<string, string> = { ...options.headers, Authorization: authorization, Accept: this.options.mediaType };
    const { body, form } = options;
    if (form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    else if (body !== undefined) headers['Content-Type'] = this.options.mediaType;
    const permit = await this.options.pacer?.acquire(bucket, { endsSessions: isEndingSessions(), method, pathname: url.pathname });
    let answered: Headers | undefined;
    let status = 'network';
    const started = performance.now();
    try {
      const res = await this.fetchFn(url, {
        method,
        headers,
        body: form !== undefined ? new URLSearchParams(form).toString() : body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        // A redirect would carry the credential somewhere we were not configured to send it.
        redirect: 'error',
      });
      answered = res.headers;
      status = String(res.status);
      const text = await res.text();
      const sent = typeof this.options.authorization === 'string' ? {} : { sentAuthorization: authorization };
      return { status: res.status, headers: res.headers, body: parseBody(text), personal: personalPartsOf(url), ...sent };
    } catch (err) {
      if (isTimeout(err)) status = 'timeout';
      const reason = isTimeout(err) ? `timed out after ${this.timeoutMs} ms` : `failed: ${networkReason(err)}`;
      throw new ConnectorError('unavailable', this.redact(`${this.system}: ${label} ${reason}`), this.system);
    } finally {
      permit?.done(answered);
      this.options.metrics?.request(this.system, operationOf(label), status, (performance.now() - started) / 1000);
    }
  }

  /** The header to send; a source's value is remembered (the last few) so messages can scrub it. */
  private async authorizationHeader(label: string): Promise<string> {
    const source = this.options.authorization;
    if (typeof source === 'string') return source;
    let header: string;
    try {
      header = await source.header();
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      throw new ConnectorError('unavailable', `${this.system}: ${label}: could not get an access token: ${(err as Error).message}`, this.system);
    }
    for (const secret of secretsOf(header)) if (!this.secrets.includes(secret)) this.secrets.push(secret);
    if (this.secrets.length > 8) this.secrets.splice(0, this.secrets.length - 8);
    return header;
  }

  private resolve(path: string, query: RequestOptions['query']): URL {
    let url: URL;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
      if (url.origin !== this.base.origin) {
        throw new ConnectorError('unavailable', `${this.system}: refusing to follow a link to another origin (${url.origin})`, this.system);
      }
    } else {
      url = new URL(`${this.base.origin}${this.basePath}${path.startsWith('/') ? path : `/${path}`}`);
    }
    const pairs = Object.entries(query ?? {}).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
    if (pairs.length > 0) {
      // encodeURIComponent, not URLSearchParams: a space must travel as %20, since "+" is literal to some servers.
      const extra = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
      url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
    }
    return url;
  }

  /** Credentials, email addresses and the request's own personal parts, scrubbed. */
  private redact(text: string, personal: readonly string[] = []): string {
    return scrubPersonal(
      this.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text),
      personal,
    );
  }
}

export function codeForStatus(status: number): ConnectorErrorCode {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'unavailable';
}

/** The `next` target of an RFC 8288 Link header (Okta's and GitHub's pagination). */
export function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** Milliseconds from `nowMs` until an HTTP-date, or undefined if it is not one. */
export function msUntilHttpDate(value: string, nowMs: number): number | undefined {
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The server's own clock from its Date header, so a wait computed from server timestamps
 * is not skewed by ours; falls back to our clock.
 */
export function serverNow(headers: Headers, localNowMs: number): number {
  const date = headers.get('date');
  const at = date ? Date.parse(date) : Number.NaN;
  return Number.isNaN(at) ? localNowMs : at;
}

/** The header and its credential part, each scrubbed from messages. */
function secretsOf(header: string): string[] {
  const credential = header.slice(header.indexOf(' ') + 1);
  return [header, credential].filter((s) => s.length >= 4);
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function stripQuery(path: string): string {
  const at = path.indexOf('?');
  return at === -1 ? path : path.slice(0, at);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) return (cause as Error & { code?: string }).code ?? cause.message;
  return err.message;
}
