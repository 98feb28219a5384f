import { z } from 'zod';
import { duration, envName, hrFieldName } from './schema-parts';
import { connectorCatalog, descriptorOf, type SystemConfig } from '../connectors/catalog';
import { parseThreshold } from '../leaver/mass-termination';
import { reviewsSchema } from '../reviews/config';

const entitlementGrant = z.object({ system: z.string().min(1), entitlements: z.array(z.string().min(1)).min(1) }).strict();

const matcher = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const rule = z
  .object({
    name: z.string().optional(),
    when: z
      .object({
        department: matcher.optional(),
        division: matcher.optional(),
        jobTitle: matcher.optional(),
        location: matcher.optional(),
        employmentType: matcher.optional(),
      })
      .strict(),
    grant: z.array(entitlementGrant).min(1),
    approval: z.enum(['required', 'none']).default('none'),
  })
  .strict();

export const systemSchema = z.discriminatedUnion('type', connectorCatalog.map((d) => d.configSchema) as unknown as [typeof connectorCatalog[number]['configSchema']]);
export type { SystemConfig };

const slackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user ID (e.g. U0ITLEAD)');

/** leaver.massTermination: a burst of terminations from one HRIS past the threshold waits for one decision. */
const massTermination = z
  .object({
    threshold: z.union([z.number(), z.string()]).transform((value, ctx) => {
      const parsed = parseThreshold(value);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of terminations (25) or a share of active workers ("5%"): ${value}` });
        return z.NEVER;
      }
      return parsed;
    }),
    window: duration.default(3_600_000),
    holdSessionKills: z.boolean().default(false),
    remindEvery: duration.default(900_000),
    escalateAfter: duration.default(3_600_000),
    /** Named on escalation (else approvals.fallbackApprovers); when set, the only Slack users who may decide. */
    deciders: z.array(slackUserId).default([]),
  })
  .strict()
  .refine((m) => m.window > 0, { path: ['window'], message: 'must be longer than 0' });

/**
 * How accounts are matched to workers: by work email, and for systems that know people by another
 * name (a GitHub login), by an extra HR field, declared here with where each HRIS keeps it: the
 * BambooHR field (API name, alias or label, e.g. customGitHubUsername) and the Workday Custom ID
 * type (Custom_ID_Type_ID, e.g. GitHub_Username).
 */
const hrFieldSource = z
  .strictObject({ bamboohr: z.string().trim().min(1, 'must not be blank').optional(), workday: z.string().trim().min(1, 'must not be blank').optional() })
  .refine((f) => f.bamboohr !== undefined || f.workday !== undefined, { message: 'must say where at least one HRIS keeps it (bamboohr: <field>, workday: <Custom ID type>)' });
const identity = z.strictObject({
  matchBy: z.enum(['workEmail']).default('workEmail'),
  hrFields: z
    .record(z.string(), hrFieldSource)
    .superRefine((fields, ctx) => {
      for (const name of Object.keys(fields)) {
        const ok = hrFieldName.safeParse(name);
        if (!ok.success) ctx.addIssue({ code: 'custom', path: [name], message: ok.error.issues[0]?.message ?? 'not a field name' });
      }
    })
    .default({}),
});
export type HrFieldsConfig = z.infer<typeof identity>['hrFields'];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24h)');
const hhmmss = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'must be HH:MM or HH:MM:SS (24h)');

/**
 * Workday business-process names per lifecycle kind, as the tenant names them. Each kind given
 * replaces Workday's default list for that kind; a kind left out keeps the default.
 */
const processNames = z.array(z.string().trim().min(1, 'must not be blank'));
const workdayBusinessProcesses = z
  .strictObject(
    { hire: processNames.optional(), change: processNames.optional(), terminate: processNames.optional(), rehire: processNames.optional(), rescind: processNames.optional() },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown lifecycle kind ${issue.keys.map((k) => `"${k}"`).join(', ')} (use hire, change, terminate, rehire or rescind)`
          : undefined,
    },
  )
  .superRefine((kinds, ctx) => {
    const owner = new Map<string, string>();
    for (const [kind, names] of Object.entries(kinds)) {
      (names ?? []).forEach((name, i) => {
        const first = owner.get(name.toLowerCase());
        if (first && first !== kind) ctx.addIssue({ code: 'custom', path: [kind, i], message: `"${name}" is already listed under ${first}` });
        owner.set(name.toLowerCase(), first ?? kind);
      });
    }
  });

/** Where signed evidence checkpoints are published, outside the database. */
const checkpointSink = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('directory'), path: z.string().min(1) }),
  z.strictObject({ type: z.literal('http'), url: z.url({ protocol: /^https?$/ }), tokenEnv: envName.optional() }),
  z.strictObject({ type: z.literal('slack'), channel: z.string().min(1).optional() }),
]);
export type CheckpointSinkConfig = z.infer<typeof checkpointSink>;

const evidence = z.strictObject({
  checkpointEvery: duration.default(60_000).refine((ms) => ms > 0, 'must be longer than 0'),
  /** How long evidence is kept (at least). */
  retention: duration.default(34_560_000_000),
  sinks: z.array(checkpointSink).default([]),
});

export type WorkdayBusinessProcessesConfig = z.infer<typeof workdayBusinessProcesses>;

export const configFileSchema = z
  .object({
    sla: z
      .object({
        leaverSessionKill: duration.default(60_000),
        leaverFullRevoke: duration.default(900_000),
        securityChannel: z.string().optional(),
      })
      .strict()
      .default({ leaverSessionKill: 60_000, leaverFullRevoke: 900_000 }),
    identity: identity.prefault({}),
    /** Every access change, summarised to adminChannel once per `every` by each worker. */
    notifications: z
      .strictObject({ adminChannel: z.string().min(1).optional(), every: duration.default(60_000).refine((ms) => ms > 0, 'must be longer than 0') })
      .prefault({}),
    systems: z
      .array(systemSchema)
      .default([])
      .superRefine((systems, ctx) => {
        const seen = new Set<string>();
        systems.forEach((s, i) => {
          if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate system id "${s.id}"` });
          seen.add(s.id);
        });
      }),
    policy: z
      .object({ birthright: z.array(entitlementGrant).default([]), rules: z.array(rule).default([]) })
      .strict()
      .default({ birthright: [], rules: [] }),
    approvals: z
      .object({
        timeout: duration.default(259_200_000),
        remindEvery: duration.default(86_400_000),
        escalateAfter: duration.default(172_800_000),
        fallbackApprovers: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user ID (e.g. U0ITLEAD)')).default([]),
      })
      .strict()
      .default({ timeout: 259_200_000, remindEvery: 86_400_000, escalateAfter: 172_800_000, fallbackApprovers: [] }),
    hris: z
      .object({
        bamboohr: z
          .object({ pollEvery: duration.default(900_000), webhookGrace: duration.default(120_000), signatureWindow: duration.default(300_000) })
          .strict()
          .optional(),
        workday: z
          .object({
            pollEvery: duration.default(900_000),
            webhookGrace: duration.default(120_000),
            businessProcesses: workdayBusinessProcesses.prefault({}),
            webhookAuth: z.enum(['signature', 'basic'], { error: 'must be "signature" or "basic"' }).default('signature'),
            webhookUsername: z.string().trim().min(1, 'must not be blank').default('workday'),
            signatureWindow: duration.default(300_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    joiner: z
      .object({ provisionLeadTime: duration.default(259_200_000), startLocalTime: hhmmss.default('00:00') })
      .strict()
      .default({ provisionLeadTime: 259_200_000, startLocalTime: '00:00' }),
    mover: z.object({ revokeOldAccessAfter: duration.default(0) }).strict().default({ revokeOldAccessAfter: 0 }),
    leaver: z
      .object({
        cutoffLocalTime: hhmm.default('18:00'),
        deleteAfter: duration.default(2_592_000_000),
        defaultTimeZone: z.string().default('UTC'),
        massTermination: massTermination.optional(),
      })
      .strict()
      .default({ cutoffLocalTime: '18:00', deleteAfter: 2_592_000_000, defaultTimeZone: 'UTC' }),
    /** Orphan-account reconciliation of every system that can list its accounts: how often (0 turns it off). */
    orphans: z.object({ every: duration.default(86_400_000) }).strict().default({ every: 86_400_000 }),
    evidence: evidence.prefault({}),
    /** Access reviews (SOC 2 CC6.3): campaigns on a schedule, decided by managers. */
    reviews: reviewsSchema.prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const types = new Map(cfg.systems.map((s) => [s.id, s.type]));
    const check = (grants: { system: string; entitlements: string[] }[], path: (string | number)[]) =>
      grants.forEach((g, i) => {
        const type = types.get(g.system);
        if (!type) return ctx.addIssue({ code: 'custom', path: [...path, i, 'system'], message: `unknown system "${g.system}"` });
        // What a system cannot grant stops start-up here, not a joiner at run time.
        const kinds = descriptorOf(type)?.entitlementKinds ?? [];
        g.entitlements.forEach((entitlement, j) => {
          const colon = entitlement.indexOf(':');
          const kind = colon > 0 ? entitlement.slice(0, colon) : '';
          if (colon > 0 && colon < entitlement.length - 1 && kinds.includes(kind)) return;
          const known = kinds.map((k) => `${k}:<name>`).join(', ');
          const message = kind && colon < entitlement.length - 1 ? `system "${g.system}" (${type}) cannot grant ${kind}: entitlements (it grants ${known})` : `"${entitlement}" is not kind:name (system "${g.system}" grants ${known})`;
          ctx.addIssue({ code: 'custom', path: [...path, i, 'entitlements', j], message });
        });
      });
    cfg.systems.forEach((s, i) => {
      const field = descriptorOf(s.type)?.matchBy?.(s);
      if (field === undefined || field in cfg.identity.hrFields) return;
      const declared = Object.keys(cfg.identity.hrFields);
      const known = declared.length > 0 ? ` (declared: ${declared.join(', ')})` : '';
      ctx.addIssue({ code: 'custom', path: ['systems', i, 'identity', 'field'], message: `HR field "${field}" is not declared in identity.hrFields${known}` });
    });
    cfg.evidence.sinks.forEach((sink, i) => {
      if (sink.type === 'slack' && !sink.channel && !cfg.sla.securityChannel) {
        ctx.addIssue({ code: 'custom', path: ['evidence', 'sinks', i, 'channel'], message: 'no channel, and sla.securityChannel is not set either' });
      }
    });
    (cfg.reviews.scope.systems ?? []).forEach((system, i) => {
      if (!types.has(system)) ctx.addIssue({ code: 'custom', path: ['reviews', 'scope', 'systems', i], message: `unknown system "${system}"` });
    });
    check(cfg.policy.birthright, ['policy', 'birthright']);
    cfg.policy.rules.forEach((r, i) => check(r.grant, ['policy', 'rules', i, 'grant']));
  });

export type ConfigFile = z.infer<typeof configFileSchema>;
