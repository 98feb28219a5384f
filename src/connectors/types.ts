/**
 * One access model for every target system: an account, entitlements (groups, teams, roles,
 * apps) named "kind:name", and grants. Core operations every connector has; optional
 * abilities are declared, and calling a missing one raises an UnsupportedError.
 *
 * "Not there" is never taken on trust: findAccount answers null only from the system's own
 * well-formed "no such user", and every operation on an account ID throws ConnectorError
 * 'not_found' when that account's resource is missing. A caller believes either only after
 * checkAccess has succeeded in the same step (a gateway answering 404 to everything is an outage).
 */
export type AccountStatus = 'active' | 'staged' | 'suspended' | 'disabled' | 'deprovisioned';

export interface Account {
  /** The system's own ID for the account. */
  id: string;
  login: string;
  email?: string;
  status: AccountStatus;
}

export interface NewAccount {
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  /** Create without activating (joiners before their start date). */
  active: boolean;
}

/**
 * What a session kill or a disable did, in the system's own terms, for the evidence: e.g. GitHub
 * has no session to end, so its disable says the org membership was removed and which credentials
 * were revoked; Graph says its session revocation may take minutes to bite.
 */
export interface AccessNote {
  /** One sentence for the evidence's reason (no personal data). */
  note?: string;
  /** Counts and IDs, merged into the evidence context. */
  detail?: Record<string, string | number | boolean | string[]>;
}

export const optionalAbilities = ['createAccount', 'enableAccount', 'killSessions', 'listAccounts'] as const;
export type OptionalAbility = (typeof optionalAbilities)[number];

export interface Connector {
  readonly id: string;
  readonly type: string;
  /** Where this system lives (for evidence "where"); never contains secrets. */
  readonly location: string;
  /**
   * One known-good, authorised, read-only call. Resolves only when the system answered as itself
   * (2xx, a well-formed vendor body) and accepted our credentials; otherwise throws ConnectorError:
   * 'unavailable' (network, 5xx, unexpected body, a 404 from something that is not the vendor's API),
   * 'unauthorized' (401/403) or 'rate_limited' (with retryAfterMs).
   */
  checkAccess(): Promise<void>;
  /** null only from a well-formed "no such user" answer; an error or an unexpected body throws. */
  findAccount(login: string): Promise<Account | null>;
  /** Idempotent: disabling a disabled account succeeds; a missing one throws not_found. */
  disableAccount(accountId: string): Promise<AccessNote | void>;
  /**
   * Every entitlement the account holds, complete or an error: a listing that fails, is cut short
   * or cannot be done on this system throws; it never answers [] by guess. Missing account: not_found.
   */
  listEntitlements(accountId: string): Promise<string[]>;
  /** Idempotent: granting a held entitlement succeeds. Missing account: not_found; unknown entitlement: an error. */
  grantEntitlement(accountId: string, entitlement: string): Promise<void>;
  /**
   * Idempotent: revoking an entitlement not held succeeds. Missing account: not_found; unknown
   * entitlement: an error; one the system will not let us remove (a dynamic group, whose members a
   * rule decides): ConnectorError 'not_removable'.
   */
  revokeEntitlement(accountId: string, entitlement: string): Promise<void>;
  /**
   * Several revocations in one go where the system batches them (Graph's JSON $batch): one entry
   * per entitlement, in order, undefined where it was revoked (or was not held) and the error
   * where it was not; the same rules as revokeEntitlement for each. Throws only when the whole
   * batch failed. An optimisation beside revokeEntitlement, not an ability.
   */
  revokeEntitlements?(accountId: string, entitlements: string[]): Promise<(Error | undefined)[]>;
  createAccount?(input: NewAccount): Promise<Account>;
  /** Missing account: not_found. */
  enableAccount?(accountId: string): Promise<void>;
  /** Ends every session and revokes tokens the system issued to the account. Missing account: not_found. */
  killSessions?(accountId: string): Promise<AccessNote | void>;
  /**
   * Every account in the system, one page at a time, for orphan reconciliation (100,000 accounts
   * must work: pages are followed, never collected whole by the connector). A page that fails
   * throws; the listing never ends early on an error or an unexpected body.
   */
  listAccounts?(): AsyncIterable<Account[]>;
  /**
   * For `/healthz` and `jml doctor`: after checkAccess, what the credentials lack for the
   * connector's work (a scope, an admin role, consent), one clear line per problem naming the
   * system and the missing permission; [] when everything needed is granted. Connectors that
   * cannot tell omit it.
   */
  checkPermissions?(): Promise<string[]>;
}

export function abilitiesOf(connector: Connector): OptionalAbility[] {
  return optionalAbilities.filter((a) => typeof connector[a] === 'function');
}
