/** Builds one connector per configured system and exposes optional abilities as typed look-ups. */
import type { SystemConfig } from '../config/file';
import { UnsupportedError } from './errors';
import type { ConnectorLog } from './http';
import { OktaConnector } from './okta/connector';
import { Pacer } from './pacer';
import { ScimConnector } from './scim/connector';
import type { Connector, OptionalAbility } from './types';

export interface ConnectorOptions {
  /** Per-request timeout for every connector (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Told of each system's pacer, so a worker can share the configured limits with the others. */
  onPacer?: (pacer: Pacer) => void;
  /** Where connectors warn (e.g. a rate-limit wait that was capped); the app logger fits. */
  log?: ConnectorLog;
}

/**
 * `secrets` maps each system's `tokenEnv` to its value (AppConfig.secrets). Fails at start-up,
 * naming the system, when a type has no connector yet or a token is missing.
 */
export function createConnectors(
  systems: SystemConfig[],
  secrets: Record<string, string>,
  options: ConnectorOptions = {},
): Map<string, Connector> {
  const connectors = new Map<string, Connector>();
  for (const system of systems) {
    if (connectors.has(system.id)) throw new Error(`system "${system.id}": configured twice`);
    connectors.set(system.id, createConnector(system, secrets, options));
  }
  return connectors;
}

/**
 * Requests in flight at once per worker process, unless a system sets maxConcurrency: Okta
 * documents per-org concurrency limits from 15 (the smallest plans) up; SCIM services rarely
 * document one, so a cautious 20.
 */
export const defaultConcurrency = { okta: 15, scim: 20 } as const;

function createConnector(system: SystemConfig, secrets: Record<string, string>, options: ConnectorOptions): Connector {
  switch (system.type) {
    case 'okta': {
      const token = tokenFor(system.id, system.tokenEnv, secrets);
      const pacer = new Pacer({ maxConcurrency: system.maxConcurrency ?? defaultConcurrency.okta, requestsPerSecond: system.requestsPerSecond });
      options.onPacer?.(pacer);
      return new OktaConnector({ id: system.id, baseUrl: system.baseUrl, token, maxRetryAfterMs: system.maxRetryAfter, pacer, ...options });
    }
    case 'scim': {
      const token = tokenFor(system.id, system.tokenEnv, secrets);
      const pacer = new Pacer({ maxConcurrency: system.maxConcurrency ?? defaultConcurrency.scim, requestsPerSecond: system.requestsPerSecond });
      options.onPacer?.(pacer);
      return new ScimConnector({ id: system.id, baseUrl: system.baseUrl, token, profile: system.profile, maxRetryAfterMs: system.maxRetryAfter, pacer, ...options });
    }
    default:
      throw new Error(`system "${system.id}": type "${system.type}" has no connector yet (supported: okta, scim)`);
  }
}

function tokenFor(systemId: string, tokenEnv: string, secrets: Record<string, string>): string {
  const token = secrets[tokenEnv];
  if (!token) throw new Error(`system "${systemId}": secret ${tokenEnv} is not set`);
  return token;
}

type AbilityFn<A extends OptionalAbility> = NonNullable<Connector[A]>;

/** The connector's optional ability, bound to it, or an UnsupportedError naming the system and ability. */
export function requireAbility<A extends OptionalAbility>(connector: Connector, ability: A): AbilityFn<A> {
  const fn = connector[ability];
  if (typeof fn !== 'function') throw new UnsupportedError(connector.id, ability);
  return fn.bind(connector) as AbilityFn<A>;
}
