import { z } from 'zod';
import { envName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { ScimConnector } from './connector';
import { scimProfileNames } from './profiles/names';

export const scimConnector = defineConnector({
  type: 'scim',
  configSchema: z.strictObject({
    ...systemCommon,
    type: z.literal('scim'),
    baseUrl: z.url(),
    tokenEnv: envName,
    profile: z.enum(scimProfileNames).default('rfc7644'),
  }),
  entitlementKinds: ['group'],
  abilities: ['createAccount', 'enableAccount', 'listAccounts'],
  limits: {
    // SCIM services rarely document a limit; a cautious 20 in flight, paced by Retry-After.
    maxConcurrency: 20,
    documented: 'rarely documented (AWS IAM Identity Center: about 20 requests/s per account); Retry-After honoured',
  },
  secretEnvs: (config) => [config.tokenEnv],
  create: (config, { secrets, ...context }) =>
    new ScimConnector({ id: config.id, baseUrl: config.baseUrl, token: secrets[config.tokenEnv]!, profile: config.profile, maxRetryAfterMs: config.maxRetryAfter, ...context }),
  contractPeer: 'test/harness/pairs/scim.ts',
});
