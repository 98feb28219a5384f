import { z } from 'zod';
import { envName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { OktaConnector } from './connector';

export const oktaConnector = defineConnector({
  type: 'okta',
  configSchema: z.strictObject({ ...systemCommon, type: z.literal('okta'), baseUrl: z.url(), tokenEnv: envName }),
  entitlementKinds: ['group'],
  abilities: ['createAccount', 'enableAccount', 'killSessions', 'listAccounts'],
  limits: {
    // Okta's per-org concurrency limit starts at 15 on the smallest plans; rates are paced from its X-Rate-Limit-* headers.
    maxConcurrency: 15,
    documented: 'per-endpoint buckets, e.g. 600 requests/min on /api/v1/users writes, 2,000/min on look-ups, an API token allowed 50% of a bucket by default; 15-75 concurrent by plan; paced from its X-Rate-Limit-* headers',
  },
  secretEnvs: (config) => [config.tokenEnv],
  create: (config, { secrets, ...context }) =>
    new OktaConnector({ id: config.id, baseUrl: config.baseUrl, token: secrets[config.tokenEnv]!, maxRetryAfterMs: config.maxRetryAfter, ...context }),
  contractPeer: 'test/harness/pairs/okta.ts',
});
