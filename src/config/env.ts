import { z } from 'zod';
import { apiTokenList, minSecretLength } from './api-tokens';
import { encryptionKeyList, KEY_BASE64_PATTERN } from './encryption-keys';
import { parseSigningKey, SigningKeyError, type SigningKey } from '../evidence/checkpoints/signing-key';
import { trustProxySetting } from './trust-proxy';

/** Browser origins (scheme://host[:port]) allowed to call the codec endpoint, e.g. the Temporal UI's. */
const originList = z
  .string()
  .default('http://127.0.0.1:8233,http://localhost:8233')
  .transform((value, ctx) => {
    const origins: string[] = [];
    for (const [i, entry] of value.split(',').map((s) => s.trim()).filter(Boolean).entries()) {
      let origin: string | undefined;
      try {
        const url = new URL(entry);
        const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !entry.includes('*');
        if ((url.protocol === 'http:' || url.protocol === 'https:') && bare) origin = url.origin;
      } catch {
        origin = undefined;
      }
      if (!origin) {
        // By position, not by value: a secret pasted into the wrong variable must not reach a log.
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not an origin (scheme://host[:port], no path, no "*")` });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return origins;
  });

/** Never echoes the value: a key pasted here must not reach a log. */
const signingKey = z.string().transform((value, ctx): SigningKey => {
  try {
    return parseSigningKey(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof SigningKeyError ? err.message : 'cannot be read' });
    return z.NEVER;
  }
});

const optionalUrl = z.url().optional();
const optionalSecret = z.string().min(1).optional();
/** A secret that signs or authenticates requests to us: long enough not to be guessed (the error names the variable, never the value). */
const signingSecret = z.string().min(minSecretLength, { error: `must be at least ${minSecretLength} characters` }).optional();

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where `jml worker` serves its /metrics (0: a free port). The API serves its own on PORT. */
  JML_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The owner role `jml migrate` runs as; DATABASE_URL's role then gets only what the app needs. */
  DATABASE_MIGRATION_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('jml'),
  JML_CONFIG: z.string().min(1).default('jml.config.yaml'),
  /** Where `jml dev` keeps its embedded Temporal and PGlite state. */
  JML_DATA_DIR: z.string().min(1).default('.jml'),
  /** A workflow bundle written by `jml bundle`; workers load it instead of bundling at start-up. */
  JML_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /** Ports of `jml dev`'s embedded Temporal dev server and its Web UI. */
  JML_DEV_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  JML_DEV_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  BAMBOOHR_WEBHOOK_SECRET: signingSecret,
  BAMBOOHR_API_KEY: optionalSecret,
  BAMBOOHR_API_URL: optionalUrl,
  WORKDAY_WEBHOOK_SECRET: signingSecret,
  WORKDAY_API_URL: optionalUrl,
  WORKDAY_USERNAME: optionalSecret,
  WORKDAY_PASSWORD: optionalSecret,
  SLACK_BOT_TOKEN: optionalSecret,
  SLACK_SIGNING_SECRET: signingSecret,
  SLACK_API_URL: optionalUrl,
  /** The Temporal Web UI the console links workflows to (jml dev: its embedded UI). */
  JML_TEMPORAL_UI_URL: optionalUrl,
  JML_API_TOKENS: apiTokenList,
  /** Proxies whose X-Forwarded-For is believed (Express `trust proxy`); default loopback only. */
  JML_TRUST_PROXY: trustProxySetting,
  /** 401s one address may get in a minute before it is answered 429 for a minute. */
  JML_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  /** One key; payloads name it by the first 8 hex of its SHA-256. */
  JML_ENCRYPTION_KEY: z.string().regex(KEY_BASE64_PATTERN, 'must be 32 bytes, base64-encoded').optional(),
  /** Several named keys, for rotation: the first encrypts, all decrypt. */
  JML_ENCRYPTION_KEYS: encryptionKeyList.optional(),
  /** `jml server` and `jml worker` refuse to store payloads unencrypted unless this is `true`. */
  JML_PAYLOADS_IN_CLEAR: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  JML_CODEC_CORS_ORIGINS: originList,
  /** Ed25519 private key (base64 PKCS#8 DER or PEM) that signs evidence checkpoints. */
  JML_EVIDENCE_SIGNING_KEY: signingKey.optional(),
  /** Applied HR events per worker-workflow run before it continues as new (history size). */
  JML_ENTITY_EVENTS_PER_RUN: z.coerce.number().int().min(1).max(10_000).default(200),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
}).superRefine((env, ctx) => {
  // Slack is optional, but half of it would send buttons nobody can click (or accept clicks it cannot answer).
  if (!!env.SLACK_BOT_TOKEN !== !!env.SLACK_SIGNING_SECRET) {
    const missing = env.SLACK_BOT_TOKEN ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'Slack needs both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or neither)' });
  }
  // Two sources of keys would leave which one encrypts to chance.
  if (env.JML_ENCRYPTION_KEY !== undefined && env.JML_ENCRYPTION_KEYS !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['JML_ENCRYPTION_KEYS'],
      message: 'JML_ENCRYPTION_KEY is set too: set JML_ENCRYPTION_KEY (one key) or JML_ENCRYPTION_KEYS (keyId:key list, for rotation), not both',
    });
  }
  if (env.JML_PAYLOADS_IN_CLEAR && (env.JML_ENCRYPTION_KEY !== undefined || env.JML_ENCRYPTION_KEYS !== undefined)) {
    const keyVar = env.JML_ENCRYPTION_KEYS !== undefined ? 'JML_ENCRYPTION_KEYS' : 'JML_ENCRYPTION_KEY';
    ctx.addIssue({ code: 'custom', path: ['JML_PAYLOADS_IN_CLEAR'], message: `true, but ${keyVar} is set: payloads are encrypted with it; unset one of them` });
  }
});

export type Env = z.infer<typeof envSchema>;
