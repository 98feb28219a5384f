import { describe, expect, it } from 'vitest';
import { githubErrorMessage, isGithubNotFound, oauthScopesOf } from '../../../src/connectors/github/convert';
import { GITHUB_UNHINTED_WAIT_MS, githubBucketOf, githubPointsOf, githubRetryAfterMs, isGithubRateLimited } from '../../../src/connectors/github/rate-limits';
import { githubConnector } from '../../../src/connectors/github/index';

const answer = (status: number, headers: Record<string, string>, message = 'Forbidden') => ({ status, headers: new Headers(headers), body: { message, documentation_url: 'https://docs.github.com/rest' } });

describe('GitHub rate-limit answers', () => {
  it('tells a rate limit (403 or 429 with retry-after, remaining 0, or the message) from a plain 403', () => {
    expect(isGithubRateLimited(answer(403, { 'retry-after': '30' }))).toBe(true);
    expect(isGithubRateLimited(answer(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000000' }))).toBe(true);
    expect(isGithubRateLimited(answer(403, {}, 'You have exceeded a secondary rate limit.'))).toBe(true);
    expect(isGithubRateLimited(answer(403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration'))).toBe(false);
    expect(isGithubRateLimited(answer(404, { 'retry-after': '30' }))).toBe(false);
  });

  it('waits retry-after first, then the reset by the server clock, else a minute', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(githubRetryAfterMs(new Headers({ 'retry-after': '7', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 100) }), now)).toBe(7000);
    // The server's Date is 10 s ahead of ours: the wait is measured on its clock.
    const headers = new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 40), date: new Date(now + 10_000).toUTCString() });
    expect(githubRetryAfterMs(headers, now)).toBe(30_000);
    expect(githubRetryAfterMs(new Headers({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': String(now / 1000 + 40) }), now)).toBe(GITHUB_UNHINTED_WAIT_MS);
  });

  it('counts REST and GraphQL apart, as GitHub does', () => {
    expect(githubBucketOf('DELETE', '/orgs/acme/memberships/someone')).toBe(githubBucketOf('GET', '/orgs/acme/members'));
    expect(githubBucketOf('POST', '/graphql')).not.toBe(githubBucketOf('GET', '/orgs/acme/members'));
  });
});

describe('GitHub error bodies and scopes', () => {
  it("takes only GitHub's own 404 body as not found", () => {
    expect(isGithubNotFound({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })).toBe(true);
    expect(isGithubNotFound({ message: 'Not Found' })).toBe(false);
    expect(isGithubNotFound('<html>Not Found</html>')).toBe(false);
  });

  it('names validation codes but never the values or messages that can carry a login', () => {
    const body = { message: 'Validation Failed', errors: [{ resource: 'TeamMember', field: 'user', code: 'invalid', value: 'pat-leaver', message: 'pat-leaver is not a member' }], documentation_url: 'x' };
    expect(githubErrorMessage(body)).toBe('Validation Failed (TeamMember user invalid)');
    expect(githubErrorMessage('<!doctype html><p>oops</p>')).toBeUndefined();
  });

  it('reads X-OAuth-Scopes, and tells an absent header from an empty one', () => {
    expect(oauthScopesOf(new Headers({ 'x-oauth-scopes': 'admin:org, repo' }))).toEqual(['admin:org', 'repo']);
    expect(oauthScopesOf(new Headers({ 'x-oauth-scopes': '' }))).toEqual([]);
    expect(oauthScopesOf(new Headers())).toBeUndefined();
  });

  it("counts points as GitHub's secondary limit does: a read or GraphQL query 1, a write 5", () => {
    expect(githubPointsOf('GET', '/orgs/acme/memberships/someone')).toBe(1);
    expect(githubPointsOf('POST', '/graphql')).toBe(1);
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) expect(githubPointsOf(method, '/orgs/acme/memberships/someone')).toBe(5);
  });

  it('keeps the default budget under 900 points in any minute, whatever the mix', () => {
    const { requestsPerSecond = 0, burstSeconds = 0, costOf } = githubConnector.limits;
    expect(costOf).toBe(githubPointsOf);
    // A full burst, a minute at the rate, and the one request that may start on the last moment's room.
    expect(requestsPerSecond * (60 + burstSeconds) + 5).toBeLessThan(900);
  });
});

