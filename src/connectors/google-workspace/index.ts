import { z } from 'zod';
import { envName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, GoogleWorkspaceConnector } from './connector';
import { loadServiceAccountKey } from './key';

const domainName = z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain name, e.g. acme.com');

export const googleWorkspaceConnector = defineConnector({
  type: 'google-workspace',
  configSchema: z
    .strictObject({
      ...systemCommon,
      type: z.literal('google-workspace'),
      /** The admin user the service account acts as (domain-wide delegation). */
      adminSubject: z.email(),
      /** Env var holding the service account's JSON key (its contents). */
      keyEnv: envName.optional(),
      /** Path of the service account's JSON key, read at start-up. */
      keyFile: z.string().min(1).optional(),
      tokenUrl: z.url().default(DEFAULT_TOKEN_URL),
      baseUrl: z.url().default(DEFAULT_BASE_URL),
      customer: z.string().min(1).default('my_customer'),
      /** The domain of group names given without @ ("group:engineering"). */
      domain: domainName.optional(),
      /** Where joiners are created. */
      orgUnitPath: z.string().startsWith('/').default('/'),
    })
    .refine((c) => (c.keyEnv === undefined) !== (c.keyFile === undefined), { message: 'set exactly one of keyEnv and keyFile', path: ['keyEnv'] }),
  entitlementKinds: ['group'],
  abilities: ['createAccount', 'enableAccount', 'killSessions', 'listAccounts'],
  limits: {
    // 35/s is 2,100 a minute: under the 2,400 with room for other tools acting as the same admin.
    // Google documents no concurrency figure (quotaExceeded just says "too many at once"); 10 in flight stays clear of it.
    maxConcurrency: 10,
    requestsPerSecond: 35,
    documented: '2,400 queries/min per user (the admin acted as) per Google Cloud project; 403 userRateLimitExceeded/quotaExceeded and 429 rateLimitExceeded ask for exponential backoff',
  },
  secretEnvs: (config) => (config.keyEnv ? [config.keyEnv] : []),
  create: (config, { secrets, ...context }) =>
    new GoogleWorkspaceConnector({
      id: config.id,
      key: loadServiceAccountKey(config.id, config, secrets),
      adminSubject: config.adminSubject,
      tokenUrl: config.tokenUrl,
      baseUrl: config.baseUrl,
      customer: config.customer,
      domain: config.domain,
      orgUnitPath: config.orgUnitPath,
      maxRetryAfterMs: config.maxRetryAfter,
      ...context,
    }),
  contractPeer: 'test/harness/pairs/google-workspace.ts',
});
