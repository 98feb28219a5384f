/** Builds one connector per configured system from its descriptor, and exposes optional abilities as typed look-ups. */
import { descriptorOf, type SystemConfig } from './catalog';
import type { ConnectorDescriptor } from './descriptor';
import { UnsupportedError } from './errors';
import type { ConnectorLog, ConnectorMetrics } from './http';
import { Pacer } from './pacer';
import { abilitiesOf, type Connector, type OptionalAbility } from './types';

export interface ConnectorOptions {
  /** Per-request timeout for every connector (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Told of each system's pacer, so a worker can share the configured limits with the others. */
  onPacer?: (pacer: Pacer) => void;
  /** Where connectors warn (e.g. a rate-limit wait that was capped); the app logger fits. */
  log?: ConnectorLog;
  /** Where every request is counted and timed. */
  metrics?: ConnectorMetrics;
}

/**
 * `secrets` maps each env var a system's descriptor names to its value (AppConfig.secrets). Fails
 * at start-up, naming the system, when a type has no connector or a secret is missing.
 */
export function createConnectors(systems: SystemConfig[], secrets: Record<string, string>, options: ConnectorOptions = {}): Map<string, Connector> {
  const connectors = new Map<string, Connector>();
  for (const system of systems) {
    if (connectors.has(system.id)) throw new Error(`system "${system.id}": configured twice`);
    connectors.set(system.id, createConnector(system, secrets, options));
  }
  return connectors;
}

function createConnector(system: SystemConfig, secrets: Record<string, string>, options: ConnectorOptions): Connector {
  const descriptor = descriptorOf(system.type) as ConnectorDescriptor | undefined;
  if (!descriptor) throw new Error(`system "${system.id}": type "${system.type}" has no connector`);
  const own: Record<string, string> = {};
  for (const env of descriptor.secretEnvs(system)) {
    const value = secrets[env];
    if (!value) throw new Error(`system "${system.id}": secret ${env} is not set`);
    own[env] = value;
  }
  const pacer = new Pacer({
    maxConcurrency: system.maxConcurrency ?? descriptor.limits.maxConcurrency,
    requestsPerSecond: system.requestsPerSecond ?? descriptor.limits.requestsPerSecond,
    burstSeconds: descriptor.limits.burstSeconds,
    costOf: descriptor.limits.costOf,
  });
  options.onPacer?.(pacer);
  const { onPacer: _told, ...rest } = options;
  const connector = descriptor.create(system, { ...rest, secrets: own, pacer });
  const has = abilitiesOf(connector).sort().join(',');
  const declared = [...descriptor.abilities].sort().join(',');
  if (has !== declared) throw new Error(`system "${system.id}": connector type "${system.type}" declares abilities [${declared}] but has [${has}]`);
  return connector;
}

type AbilityFn<A extends OptionalAbility> = NonNullable<Connector[A]>;

/** The connector's optional ability, bound to it, or an UnsupportedError naming the system and ability. */
export function requireAbility<A extends OptionalAbility>(connector: Connector, ability: A): AbilityFn<A> {
  const fn = connector[ability];
  if (typeof fn !== 'function') throw new UnsupportedError(connector.id, ability);
  return fn.bind(connector) as AbilityFn<A>;
}
