import { z } from 'zod';
import { envName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { DEFAULT_AUTHORITY, DEFAULT_GRAPH_URL, MicrosoftGraphConnector } from './connector';

export const microsoftGraphConnector = defineConnector({
  type: 'microsoft-graph',
  configSchema: z.strictObject({
    ...systemCommon,
    type: z.literal('microsoft-graph'),
    /** Directory (tenant) ID or a verified domain of the tenant. */
    tenantId: z.string().min(1),
    /** Application (client) ID of the app registration. */
    clientId: z.string().min(1),
    clientSecretEnv: envName,
    authority: z.url().default(DEFAULT_AUTHORITY),
    graphUrl: z.url().default(DEFAULT_GRAPH_URL),
  }),
  entitlementKinds: ['group'],
  abilities: ['createAccount', 'enableAccount', 'killSessions', 'listAccounts'],
  limits: {
    // Writes are the tightest documented limit for an engine like this one: 3,000 per 150 s per app
    // per tenant is 20/s. Reads (2 resource units for GET /users, 1 for most others) fit well inside
    // the smallest tenant's 3,500 units per 10 s at that rate. A $batch spends one per inner request.
    maxConcurrency: 16,
    requestsPerSecond: 20,
    documented:
      'identity and access: 3,000 write requests per 150 s per app per tenant, 3,500-8,000 resource units per 10 s per app per tenant by tenant size, 18,000 writes per 5 min per tenant; global 130,000 requests per 10 s per app; $batch of up to 20, each inner request counted; 429/503 with Retry-After (seconds)',
  },
  secretEnvs: (config) => [config.clientSecretEnv],
  create: (config, { secrets, ...context }) =>
    new MicrosoftGraphConnector({
      id: config.id,
      tenantId: config.tenantId,
      clientId: config.clientId,
      clientSecret: secrets[config.clientSecretEnv]!,
      authority: config.authority,
      graphUrl: config.graphUrl,
      maxRetryAfterMs: config.maxRetryAfter,
      ...context,
    }),
  contractPeer: 'test/harness/pairs/microsoft-graph.ts',
});
