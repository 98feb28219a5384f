/**
 * GitHub's two rate limits, as its REST documentation describes them:
 *  - primary: `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (epoch seconds), answered 403 or 429
 *    ("API rate limit exceeded"); wait until the reset;
 *  - secondary: 403 or 429 with `retry-after` (seconds) and "You have exceeded a secondary rate
 *    limit"; wait that long, or at least a minute when no header says.
 * GraphQL answers its primary limit 200 with `errors[].type` RATE_LIMITED (see ./graphql.ts).
 */
import { serverNow, type HttpMethod, type JsonResponse } from '../http';

/** GitHub: "Otherwise, wait for at least one minute before retrying." */
export const GITHUB_UNHINTED_WAIT_MS = 60_000;

const RATE_LIMIT_MESSAGE = /rate limit/i;

export function isGithubRateLimited(response: JsonResponse): boolean {
  if (response.status !== 403 && response.status !== 429) return false;
  const { headers } = response;
  if (headers.get('retry-after') !== null) return true;
  if (headers.get('x-ratelimit-remaining')?.trim() === '0') return true;
  const message = (response.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && RATE_LIMIT_MESSAGE.test(message);
}

/** ms to wait: `retry-after` first, then the primary reset (against the server's clock), else a minute. */
export function githubRetryAfterMs(headers: Headers, nowMs: number): number {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (headers.get('x-ratelimit-remaining')?.trim() === '0' && reset && /^\d+$/.test(reset)) {
    return Math.max(0, Number(reset) * 1000 - serverNow(headers, nowMs));
  }
  return GITHUB_UNHINTED_WAIT_MS;
}

/**
 * Points GitHub's secondary limit counts a request as: GET, HEAD and OPTIONS 1, any other REST
 * method 5, a GraphQL query 1 (GitHub counts GraphQL apart, 2,000 points a minute; the connector
 * sends no mutations, which would cost 5, and its queries are counted in the REST budget here).
 */
export function githubPointsOf(method: string, pathname: string): number {
  if (pathname.endsWith('/graphql')) return 1;
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 1 : 5;
}

/**
 * GitHub counts the primary limit per token and resource (`x-ratelimit-resource`: core for REST,
 * graphql for GraphQL), not per endpoint: every REST call spends the same budget.
 */
export function githubBucketOf(_method: HttpMethod, pathname: string): string {
  return pathname.endsWith('/graphql') ? 'github graphql' : 'github core';
}

/**
 * The pacer reads a bucket's limit, remaining requests and reset (epoch seconds) from the
 * X-Rate-Limit-* headers; GitHub sends the same three as x-ratelimit-*. This fetch copies them
 * across so the pacer holds requests back before the primary limit runs out.
 */
export function withPacerHeaders(fetchFn: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const res = await fetchFn(input, init);
    const remaining = res.headers.get('x-ratelimit-remaining');
    if (remaining === null || res.headers.has('x-rate-limit-remaining')) return res;
    const headers = new Headers(res.headers);
    headers.set('x-rate-limit-remaining', remaining);
    for (const name of ['limit', 'reset'] as const) {
      const value = res.headers.get(`x-ratelimit-${name}`);
      if (value !== null) headers.set(`x-rate-limit-${name}`, value);
    }
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}
