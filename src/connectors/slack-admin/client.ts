/** What Slack's two APIs (Web API, SCIM) share: one admin user token as Bearer, Retry-After in seconds, one pacer. */
import { JsonHttpClient, type JsonHttpClientOptions, type ConnectorTransport } from '../http';
import { slackRetryAfterMs } from './convert';
import type { RateBuckets } from './tiers';

export interface SlackHttpOptions extends ConnectorTransport {
  system: string;
  token: string;
  /** Slack's per-method and SCIM buckets, shared by both APIs of one connector. */
  buckets: RateBuckets;
}

export function slackHttpClient(
  options: SlackHttpOptions,
  baseUrl: string,
  vendor: Pick<JsonHttpClientOptions, 'vendorMessage' | 'isVendorNotFound' | 'bucketOf'>,
): JsonHttpClient {
  const { system, token, timeoutMs, fetch, maxRetryAfterMs, pacer, log, metrics } = options;
  return new JsonHttpClient({
    system,
    baseUrl,
    authorization: `Bearer ${token}`,
    mediaType: 'application/json',
    retryAfterMs: slackRetryAfterMs,
    timeoutMs,
    fetch,
    maxRetryAfterMs,
    pacer,
    log,
    metrics,
    ...vendor,
  });
}
