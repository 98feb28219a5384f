import { UnsupportedError } from './errors';

/**
 * Entitlements are named "kind:name" (group:Engineering). The Okta and SCIM connectors hold
 * only groups; any other kind is a missing ability, not a bad request.
 */
export function groupNameOf(system: string, entitlement: string): string {
  const colon = entitlement.indexOf(':');
  const kind = colon === -1 ? '' : entitlement.slice(0, colon);
  const name = colon === -1 ? '' : entitlement.slice(colon + 1);
  if (kind !== 'group' || name === '') throw new UnsupportedError(system, `entitlement "${entitlement}" (only group:<name>)`);
  return name;
}
