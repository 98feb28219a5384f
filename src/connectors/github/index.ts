import { z } from 'zod';
import { envName, hrFieldName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { GithubConnector } from './connector';
import { githubPointsOf } from './rate-limits';

export const githubConnector = defineConnector({
  type: 'github',
  configSchema: z.strictObject({
    ...systemCommon,
    type: z.literal('github'),
    baseUrl: z.url().default('https://api.github.com'),
    org: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub organisation login'),
    tokenEnv: envName,
    // How a worker's GitHub account is found: from the work email through the organisation's
    // SAML-linked identities, or from an HR field (identity.hrFields) that holds the GitHub login.
    identity: z
      .discriminatedUnion('by', [z.strictObject({ by: z.literal('saml') }), z.strictObject({ by: z.literal('hrField'), field: hrFieldName })], {
        error: () => 'must be { by: saml } or { by: hrField, field: <name in identity.hrFields> }',
      })
      .default({ by: 'saml' }),
  }),
  entitlementKinds: ['team'],
  // No killSessions: GitHub has no API to end a web session; disableAccount ends access instead.
  abilities: ['listAccounts'],
  limits: {
    // Secondary limit: 900 points/min for REST (a GET 1, a write 5), 2,000 for GraphQL (a query 1).
    // The budget is counted in those points (costOf): 12.5 a second is 750 points a minute
    // whatever the mix of requests (2.5 writes a second, or 12.5 reads), with room for other
    // clients of the token; GraphQL queries are counted in it too. Primary limit (5,000/h per
    // token; App installations 5,000-15,000/h) is paced from GitHub's x-ratelimit-* headers.
    // GitHub allows 100 concurrent requests; we keep 10.
    maxConcurrency: 10,
    requestsPerSecond: 12.5,
    costOf: githubPointsOf,
    // GitHub's secondary limit is a budget per minute: a quiet org may spend 125 points at once,
    // and any minute stays under 900 (750 + 125, and one request's 5 past the mark).
    burstSeconds: 10,
    // A step on the rate-limited queue: a team grant reads then writes (1 + 5); a revoke after the
    // disable reads the teams (1). Session-ending steps (the disable) have their own queue.
    requestsPerStep: 6,
    documented:
      'primary 5,000 requests/h per token (App installations 5,000-15,000/h; GraphQL 5,000 points/h); secondary 100 concurrent, 900 points/min per REST endpoint (GET 1, writes 5), 2,000 points/min GraphQL; 403/429 with retry-after or x-ratelimit-reset',
  },
  secretEnvs: (config) => [config.tokenEnv],
  matchBy: (config) => (config.identity.by === 'hrField' ? config.identity.field : undefined),
  create: (config, { secrets, ...context }) =>
    new GithubConnector({
      id: config.id,
      baseUrl: config.baseUrl,
      org: config.org,
      token: secrets[config.tokenEnv]!,
      maxRetryAfterMs: config.maxRetryAfter,
      matchBy: config.identity.by === 'hrField' ? 'login' : 'saml',
      ...context,
    }),
  contractPeer: 'test/harness/pairs/github.ts',
});
