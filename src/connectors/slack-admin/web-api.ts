/**
 * Slack's Web API on top of JsonHttpClient: POST /api/<method>, the token as `Authorization:
 * Bearer` (Slack takes it for every method, although its OpenAPI description lists a `token`
 * parameter), `{ok:true,...}` answers, and `{ok:false, error}` (HTTP 200) turned into typed
 * ConnectorErrors. Each method is its own rate-limit bucket, paced at its tier.
 */
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import type { JsonHttpClient, JsonResponse } from '../http';
import { slackHttpClient, type SlackHttpOptions } from './client';
import { webAnswerSchema, slackRetryAfterMs } from './convert';
import { slackApiError } from './errors';
import { methodTiers, slackTiers, type Rate, type Tier } from './tiers';

export interface SlackWebApiOptions extends SlackHttpOptions {
  apiUrl: string;
  tiers?: Partial<Record<Tier, Rate>>;
}

export type WebArgs = Record<string, string | number | boolean | string[]>;

export interface WebResult {
  body: Record<string, unknown>;
  headers: Headers;
}

/** Methods whose arrays Slack documents as JSON arrays (the rest take comma-separated form fields). */
const JSON_METHODS = new Set(['admin.users.session.resetBulk']);

export class SlackWebApi {
  readonly http: JsonHttpClient;
  private readonly tiers: Record<Tier, Rate>;

  constructor(private readonly options: SlackWebApiOptions) {
    this.http = slackHttpClient(options, options.apiUrl, {
      vendorMessage: (body) => (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined),
      // The Web API has no "not found" status: a 404 is never Slack saying a user is gone.
      isVendorNotFound: () => false,
      bucketOf: (_method, pathname) => `slack ${pathname.slice(pathname.lastIndexOf('/') + 1)}`,
    });
    this.tiers = { ...slackTiers, ...options.tiers };
  }

  get location(): string {
    return this.http.location;
  }

  /** Calls `method`; resolves with an ok:true body, throws the ConnectorError of anything else. */
  async call(method: string, args: WebArgs = {}): Promise<WebResult> {
    const tier = methodTiers[method] ?? 'tier2';
    await this.options.buckets.take(`web ${method}`, this.tiers[tier]);
    const path = `/${method}`;
    const res = JSON_METHODS.has(method)
      ? await this.http.request('POST', path, { body: args })
      : await this.http.request('POST', path, { form: formOf(args) });
    return { body: this.answer(method, res), headers: res.headers };
  }

  /** Parses an ok:true answer of `method` with `schema`; an answer of another shape is Slack not answering as itself. */
  parse<S extends z.ZodType>(method: string, schema: S, result: WebResult): z.infer<S> {
    const parsed = schema.safeParse(result.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.options.system}: ${method} answered ok:true with an unexpected body`, this.options.system, 200);
  }

  private answer(method: string, res: JsonResponse): Record<string, unknown> {
    const parsed = webAnswerSchema.safeParse(res.body);
    if (!parsed.success) {
      throw new ConnectorError('unavailable', `${this.options.system}: ${method} answered ${res.status} without Slack's {ok} body`, this.options.system, res.status);
    }
    if (parsed.data.ok) return parsed.data;
    throw slackApiError(this.options.system, method, parsed.data, res.status, slackRetryAfterMs(res.headers, Date.now()));
  }
}

function formOf(args: WebArgs): Record<string, string> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}
