import { UnsupportedError } from './errors';

/**
 * Entitlements are named "kind:name" (group:Engineering, team:platform). Each connector holds
 * one kind; any other kind is a missing ability, not a bad request.
 */
export function entitlementNameOf(system: string, entitlement: string, kind: string, what = 'name'): string {
  const colon = entitlement.indexOf(':');
  const given = colon === -1 ? '' : entitlement.slice(0, colon);
  const name = colon === -1 ? '' : entitlement.slice(colon + 1);
  if (given !== kind || name === '') throw new UnsupportedError(system, `entitlement "${entitlement}" (only ${kind}:<${what}>)`);
  return name;
}

/** The group in "group:<name>" (Okta, SCIM, Google, Graph). */
export function groupNameOf(system: string, entitlement: string): string {
  return entitlementNameOf(system, entitlement, 'group');
}
