import { ConfigError } from '../config/load';
import type { Env } from '../config/env';
import type { Logger } from '../log';

export type PayloadMode = 'encrypted' | 'clear';

/**
 * Decided once at start-up. Payloads carry HR data, so the production processes encrypt them
 * unless told in so many words not to; `jml dev` on a laptop may run in clear.
 */
export function payloadMode(env: Pick<Env, 'JML_ENCRYPTION_KEY' | 'JML_ENCRYPTION_KEYS' | 'JML_PAYLOADS_IN_CLEAR'>, command: 'dev' | 'server' | 'worker'): PayloadMode {
  if (env.JML_ENCRYPTION_KEY !== undefined || env.JML_ENCRYPTION_KEYS !== undefined) return 'encrypted';
  if (command === 'dev' || env.JML_PAYLOADS_IN_CLEAR) return 'clear';
  throw new ConfigError(
    `env: JML_ENCRYPTION_KEY: not set, and jml ${command} stores Temporal payloads (HR data) encrypted: set JML_ENCRYPTION_KEY (openssl rand -base64 32) or JML_ENCRYPTION_KEYS (keyId:key,...), or JML_PAYLOADS_IN_CLEAR=true to store them in clear`,
  );
}

/** `jml server` and `jml worker`: the mode, and one warning line when it is clear by choice. */
export function productionPayloadMode(env: Env, command: 'server' | 'worker', log: Logger): PayloadMode {
  const mode = payloadMode(env, command);
  if (mode === 'clear') log.warn('JML_PAYLOADS_IN_CLEAR=true: Temporal payloads and failure messages (HR data) are stored in clear');
  return mode;
}
