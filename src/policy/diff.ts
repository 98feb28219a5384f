import { compareEntitlements, entitlementKey, needsApproval, type AccessSource, type ApprovalMode, type DesiredAccess } from './evaluate';

/**
 * What a worker holds now: per system id, the entitlements as that system's connector lists
 * them. Order and repeats do not matter. Arrays rather than Sets because this crosses Temporal
 * payloads as JSON, where a Set would arrive empty.
 */
export type AccessSet = Readonly<Record<string, readonly string[]>>;

export interface AccessGrant {
  system: string;
  entitlement: string;
  sources: AccessSource[];
  /** Resolved once here so callers do not each re-derive it from the sources. */
  approval: ApprovalMode;
}

export interface AccessRevoke {
  system: string;
  entitlement: string;
}

export interface AccessDiff {
  grants: AccessGrant[];
  revokes: AccessRevoke[];
}

/**
 * What to grant and revoke to move from current to desired access, each sorted by system then
 * entitlement. Entitlements are compared exactly as written. Every held entitlement the policy
 * no longer asks for is revoked, including whole systems the policy no longer mentions; one
 * still asked for by any remaining source stays, however many sources it lost.
 */
export function diffAccess(current: AccessSet, desired: DesiredAccess): AccessDiff {
  const held = new Set(heldEntitlements(current).map(keyOf));
  const wanted = new Set(desired.map(keyOf));

  const grants = desired
    .filter((item) => !held.has(keyOf(item)))
    .map(
      (item): AccessGrant => ({
        system: item.system,
        entitlement: item.entitlement,
        sources: item.sources.map((source) => ({ ...source })),
        approval: needsApproval(item) ? 'required' : 'none',
      }),
    )
    .sort(compareEntitlements);

  const revokes = uniqueSorted(heldEntitlements(current).filter((item) => !wanted.has(keyOf(item))));
  return { grants, revokes };
}

/** The access a worker would hold once everything desired is granted: the baseline for the next diff. */
export function accessSetFrom(desired: DesiredAccess): AccessSet {
  const bySystem = new Map<string, string[]>();
  for (const { system, entitlement } of uniqueSorted(desired)) {
    const entitlements = bySystem.get(system) ?? [];
    entitlements.push(entitlement);
    bySystem.set(system, entitlements);
  }
  // fromEntries defines own properties, so a system id like "__proto__" stays an ordinary key.
  return Object.fromEntries(bySystem);
}

function heldEntitlements(current: AccessSet): AccessRevoke[] {
  return Object.entries(current).flatMap(([system, entitlements]) => entitlements.map((entitlement) => ({ system, entitlement })));
}

function uniqueSorted(items: readonly { system: string; entitlement: string }[]): AccessRevoke[] {
  const byKey = new Map(items.map((item) => [keyOf(item), { system: item.system, entitlement: item.entitlement }]));
  return [...byKey.values()].sort(compareEntitlements);
}

function keyOf(item: { system: string; entitlement: string }): string {
  return entitlementKey(item.system, item.entitlement);
}
