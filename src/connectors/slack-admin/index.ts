import { z } from 'zod';
import { duration, envName, systemCommon } from '../../config/schema-parts';
import { defineConnector } from '../descriptor';
import { SlackAdminConnector } from './connector';

export const slackAdminConnector = defineConnector({
  type: 'slack-admin',
  configSchema: z.strictObject({
    ...systemCommon,
    type: z.literal('slack-admin'),
    /** An org-level admin user token (xoxp-) installed on the Enterprise Grid org. */
    tokenEnv: envName,
    apiUrl: z.url().default('https://slack.com/api'),
    scimUrl: z.url().default('https://api.slack.com/scim/v2'),
    /** The workspace whose user groups are managed: org-level tokens must name it (team_id). */
    teamId: z.string().regex(/^[TE][A-Z0-9]{2,}$/, 'must be a Slack workspace ID (T...)'),
    /** Our part of Slack's org-wide SCIM limits, which the identity provider shares. */
    scimShare: z.number().gt(0).max(1).default(0.25),
    /** Session kills arriving this close together go as one admin.users.session.resetBulk. */
    coalesceWindow: duration.default(100).refine((ms) => ms >= 10 && ms <= 2000, 'between 10ms and 2s'),
    /** How long a kill waits for Slack to show the user's sessions gone before it is retried. */
    sessionCheckTimeout: duration.default(30_000),
  }),
  entitlementKinds: ['usergroup'],
  abilities: ['createAccount', 'enableAccount', 'killSessions', 'listAccounts'],
  limits: {
    maxConcurrency: 8,
    documented:
      'Web API per method, in tiers: Tier 2 20+/min (admin.users.session.reset, resetBulk, list; usergroups.list, usergroups.users.list, usergroups.users.update), Tier 4 100+/min (auth.test); SCIM org-wide across all SCIM apps: 600 writes/min (bursts of 180), 1,000 reads/min, 180/min (bursts of 20) per user write endpoint, 300/min GET /Users/<id>; we take scimShare (default 25%) of SCIM',
  },
  secretEnvs: (config) => [config.tokenEnv],
  create: (config, { secrets, ...context }) =>
    new SlackAdminConnector({
      id: config.id,
      token: secrets[config.tokenEnv]!,
      apiUrl: config.apiUrl,
      scimUrl: config.scimUrl,
      teamId: config.teamId,
      scimShare: config.scimShare,
      coalesceWindowMs: config.coalesceWindow,
      sessionCheckTimeoutMs: config.sessionCheckTimeout,
      maxRetryAfterMs: config.maxRetryAfter,
      ...context,
    }),
  contractPeer: 'test/harness/pairs/slack-admin.ts',
});
