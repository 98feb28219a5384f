/**
 * What the shared connector contract (test/integration/connectors.contract.test.ts) needs from a
 * connector and the local peer that stands for its system. Each connector's descriptor names the
 * module under test/harness/pairs that exports its `pairs`.
 */
import type { Connector } from '../../../src/connectors/types';
import type { PeerRequest } from '../../peers/request-log';

export interface SeedAccount {
  groups?: string[];
  /** Live sessions / issued tokens at the system. */
  sessions?: number;
  /** Created but never activated (Okta STAGED, SCIM active=false). */
  pending?: boolean;
  disabled?: boolean;
}

/** What the contract needs from a connector + peer pair. */
export interface Pair {
  connector: Connector;
  connectorWithToken(token: string): Connector;
  token: string;
  /** The entitlement kind the contract grants and revokes ("group", "team"). */
  kind: string;
  /** Whether the system has a session kill (SCIM has none: deactivation ends access). */
  killsSessions: boolean;
  /** Results per page the connector asks for, so tests can seed more than a page. */
  pageSize: number;
  /**
   * For a system matched by an HR field rather than the work email: the field's value for the
   * worker with this work email (what the engine passes to findAccount). Absent: the work email.
   */
  lookupOf?(login: string): string;
  seedAccount(login: string, seed?: SeedAccount): string;
  seedGroup(name: string): void;
  deleteAccount(login: string): void;
  /** Names of the entitlements of `kind` the peer holds for the account (group or team names). */
  groupsAt(login: string): string[];
  /** The peer says the person can no longer use an existing session or token. */
  sessionsEnded(login: string): boolean;
  disabledAt(login: string): boolean;
  /** For a connector with checkPermissions: one whose credentials lack a permission it needs, and that permission's name. */
  lackingPermission?(): { connector: Connector; missing: string };
  rateLimitNext(seconds: number): void;
  failNext(status: number): void;
  requests(): PeerRequest[];
  writes(): PeerRequest[];
  close(): Promise<void>;
}

/** One named way to start a pair (a connector may have several: SCIM speaks per-server dialects). */
export interface ContractPair {
  name: string;
  start: () => Promise<Pair>;
}

/**
 * A pair as the whole engine uses it (e2e tests, benchmarks): the `systems[]` entry that points the
 * engine at the peer, the secrets it names, and the peer's latency. Pair modules export
 * `enginePair(options)` returning one.
 */
export interface EnginePair extends Pair {
  /** The `systems[]` entry (an object; as JSON it is YAML) for a system of this id, and its secrets. */
  system(id: string): { entry: Record<string, unknown>; secrets: Record<string, string> };
  setLatency(ms: number): void;
  /** Fails the next request of this method whose path matches, the vendor's error text quoting the path (where the peer can). */
  failNextMatching?(method: string, path: RegExp, status: number): void;
}

export interface EnginePairOptions {
  /** Added before every answer (benchmarks use 150 ms). */
  latencyMs?: number;
}
