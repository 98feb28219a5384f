/**
 * Slack's SCIM API (https://api.slack.com/scim/v2): the user directory of the whole Grid org.
 * Its limits are org-wide and shared with the identity provider that provisions Slack, so every
 * call here waits for our share of them first (./tiers.ts).
 */
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import type { HttpMethod, JsonHttpClient, JsonResponse } from '../http';
import { slackHttpClient, type SlackHttpOptions } from './client';
import { isSlackScimNotFound, scimErrorMessage, scimListSchema, scimUserSchema, type SlackScimUser } from './convert';
import { scimRates, type Rate } from './tiers';

export interface SlackScimOptions extends SlackHttpOptions {
  scimUrl: string;
  /** Our share of Slack's org-wide SCIM limits (0-1). */
  share: number;
}

export interface ScimPage {
  users: SlackScimUser[];
  totalResults: number;
}

const USERS = '/Users';

export class SlackScim {
  readonly http: JsonHttpClient;
  private readonly rates: { reads: Rate; userWrites: Rate };

  constructor(private readonly options: SlackScimOptions) {
    this.http = slackHttpClient(options, options.scimUrl, {
      vendorMessage: scimErrorMessage,
      isVendorNotFound: isSlackScimNotFound,
      bucketOf: (method) => `slack scim ${method === 'GET' ? 'reads' : 'writes'}`,
    });
    this.rates = scimRates(options.share);
  }

  get location(): string {
    return this.http.location;
  }

  /** The user, or not_found only when Slack's SCIM API itself said so. */
  async requireUser(id: string): Promise<SlackScimUser> {
    const path = userPath(id);
    const res = await this.send('GET', path, { accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'GET', path, id);
    return this.parse(scimUserSchema, res, 'GET', path);
  }

  /** One page of users from `startIndex` (1-based), optionally filtered. */
  async page(startIndex: number, count: number, filter?: string): Promise<ScimPage> {
    const res = await this.send('GET', USERS, { query: { startIndex, count, ...(filter ? { filter } : {}) } });
    const list = this.parse(scimListSchema, res, 'GET', USERS);
    if (list.startIndex !== undefined && list.startIndex !== startIndex) {
      throw new ConnectorError('unavailable', `${this.options.system}: GET ${USERS} answered startIndex ${list.startIndex} when asked for ${startIndex}`, this.options.system, res.status);
    }
    const users = list.Resources.map((r) => this.parse(scimUserSchema, { ...res, body: r }, 'GET', USERS));
    return { users, totalResults: list.totalResults };
  }

  /** DELETE /Users/<id>: on Slack this deactivates the user (the account and its history stay). */
  async deactivate(id: string): Promise<void> {
    const path = userPath(id);
    const res = await this.send('DELETE', path, { accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'DELETE', path, id);
  }

  async patch(id: string, body: Record<string, unknown>): Promise<void> {
    const path = userPath(id);
    const res = await this.send('PATCH', path, { body, accept: [404] });
    if (res.status === 404) throw this.missingOr(res, 'PATCH', path, id);
  }

  async create(body: Record<string, unknown>): Promise<SlackScimUser> {
    const res = await this.send('POST', USERS, { body });
    return this.parse(scimUserSchema, res, 'POST', USERS);
  }

  private async send(method: HttpMethod, path: string, options: { query?: Record<string, string | number>; body?: unknown; accept?: number[] }): Promise<JsonResponse> {
    await this.options.buckets.take(method === 'GET' ? 'scim reads' : 'scim user writes', method === 'GET' ? this.rates.reads : this.rates.userWrites);
    // A filter carries an email: errors name the path without its query.
    return this.http.request(method, path, { ...options, label: path });
  }

  private missingOr(res: JsonResponse, method: HttpMethod, path: string, id: string): ConnectorError {
    if (!this.http.isVendorNotFound(res)) return this.http.toError(method, path, res);
    return new ConnectorError('not_found', `${this.options.system}: user ${id} not found`, this.options.system, 404);
  }

  private parse<S extends z.ZodType>(schema: S, res: JsonResponse, method: HttpMethod, path: string): z.infer<S> {
    const parsed = schema.safeParse(res.body);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.options.system}: SCIM ${method} ${path} answered ${res.status} with an unexpected body`, this.options.system, res.status);
  }
}

function userPath(id: string): string {
  return `${USERS}/${encodeURIComponent(id)}`;
}
