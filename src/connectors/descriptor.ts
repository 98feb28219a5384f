/**
 * What a connector folder exports: everything the engine needs to know about a kind of system.
 * The registry, the `systems[]` config schema, start-up checks, README's limits table and the
 * contract test are all built from the list of descriptors (./catalog.ts), so adding a system is
 * one folder and one line in that list.
 */
import type { z } from 'zod';
import type { ConnectorLog, ConnectorMetrics } from './http';
import type { Pacer } from './pacer';
import type { Connector, OptionalAbility } from './types';

/** What the registry hands a descriptor's factory. */
export interface ConnectorContext {
  /** The values of the env vars the descriptor's `secretEnvs` named, read once at start-up. */
  secrets: Record<string, string>;
  /** Paces this system's requests under its limits; shared by every call the connector makes. */
  pacer: Pacer;
  timeoutMs?: number;
  fetch?: typeof fetch;
  log?: ConnectorLog;
  metrics?: ConnectorMetrics;
}

/** The vendor's documented limits, and the defaults the engine takes from them. */
export interface ConnectorLimits {
  /** Requests in flight at once, unless the system sets maxConcurrency. */
  maxConcurrency: number;
  /**
   * Requests started per second, unless the system sets requestsPerSecond (undefined: paced by the
   * vendor's headers alone); counted as `costOf` says where the vendor counts by kind of request.
   */
  requestsPerSecond?: number;
  /** What one request spends of requestsPerSecond (default 1): GitHub counts its secondary limit in points, a write five. */
  costOf?: (method: string, pathname: string) => number;
  /** How far ahead of that rate a quiet system may run, for limits that are budgets per minute (Pacer's burstSeconds). */
  burstSeconds?: number;
  /** The vendor's documented limit the defaults follow, for README and `jml doctor`. */
  documented: string;
  /**
   * What one step on the system's rate-limited queue (a grant, a revoke of a few entitlements, a
   * disable after the sessions ended) spends of requestsPerSecond in the common case, counted as
   * costOf counts: that queue dispatches at most requestsPerSecond / requestsPerStep steps per
   * second across all workers (default 3). Session-ending steps have a queue of their own, which
   * the server does not hold back.
   */
  requestsPerStep?: number;
}

export interface ConnectorDescriptor<S extends z.ZodObject = z.ZodObject> {
  /** `systems[].type` in jml.config.yaml. */
  readonly type: string;
  /** One `systems[]` entry of this type (strict; its `type` a literal of the above). */
  readonly configSchema: S;
  /** Entitlement kinds it can grant and revoke (`group`, `team`, ...), as in "group:engineering". */
  readonly entitlementKinds: readonly string[];
  /** Optional abilities every connector of this type has. */
  readonly abilities: readonly OptionalAbility[];
  readonly limits: ConnectorLimits;
  /** Env var names the system's secrets come from; each must be set at start-up. */
  secretEnvs(config: z.output<S>): string[];
  /**
   * The HR field (a name in identity.hrFields) this system's accounts are matched by, when the
   * system is configured to know people by something other than their work email; undefined: the
   * work email. The engine passes that field's value to findAccount.
   */
  matchBy?(config: z.output<S>): string | undefined;
  create(config: z.output<S>, context: ConnectorContext): Connector;
  /**
   * The module (path from the repository root) exporting `pairs`: this connector with the local
   * peer that speaks its vendor's wire format, as the shared contract test drives them.
   */
  readonly contractPeer: string;
}

/** Keeps the descriptor's literal types (its schema's output) for the catalog. */
export function defineConnector<S extends z.ZodObject>(descriptor: ConnectorDescriptor<S>): ConnectorDescriptor<S> {
  return descriptor;
}
