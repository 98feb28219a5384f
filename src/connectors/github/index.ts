import { z } from 'zod';
import { envName, hrFieldName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { GithubConnector } from './connector';

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
    // Secondary limit: 900 points/min per REST endpoint, writes cost 5, so at most 180 writes/min
    // (3/s). 2.5 requests/s keeps even an all-write stream at 750 points/min, with room for other
    // clients of the token. Primary limit (5,000/h per token; App installations 5,000-15,000/h) is
    // paced from GitHub's x-ratelimit-* headers. GitHub allows 100 concurrent requests; we keep 10.
    maxConcurrency: 10,
    requestsPerSecond: 2.5,
    // GitHub's secondary limit is a budget per minute: a quiet org may spend 25 requests at once
    // (at most 125 points), and the first minute stays under 900 points even if all are writes.
    burstSeconds: 10,
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
