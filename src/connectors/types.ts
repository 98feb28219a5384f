/**
 * One access model for every target system: an account, entitlements (groups, teams, roles,
 * apps) named "kind:name", and grants. Core operations every connector has; optional
 * abilities are declared, and calling a missing one raises an UnsupportedError.
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

export const optionalAbilities = ['createAccount', 'enableAccount', 'killSessions'] as const;
export type OptionalAbility = (typeof optionalAbilities)[number];

export interface Connector {
  readonly id: string;
  readonly type: string;
  /** Where this system lives (for evidence "where"); never contains secrets. */
  readonly location: string;
  /**
   * One known-good, authorised read: resolves only when the system answered as itself and took
   * our credentials. "No such account" is believed only after this succeeds in the same step.
   */
  checkAccess(): Promise<void>;
  findAccount(login: string): Promise<Account | null>;
  /** Idempotent: disabling a disabled or missing account succeeds. */
  disableAccount(accountId: string): Promise<void>;
  listEntitlements(accountId: string): Promise<string[]>;
  /** Idempotent: granting a held entitlement succeeds. */
  grantEntitlement(accountId: string, entitlement: string): Promise<void>;
  /** Idempotent: revoking an entitlement not held succeeds. */
  revokeEntitlement(accountId: string, entitlement: string): Promise<void>;
  createAccount?(input: NewAccount): Promise<Account>;
  enableAccount?(accountId: string): Promise<void>;
  /** Ends every session and revokes tokens the system issued to the account. */
  killSessions?(accountId: string): Promise<void>;
}

export function abilitiesOf(connector: Connector): OptionalAbility[] {
  return optionalAbilities.filter((a) => typeof connector[a] === 'function');
}
