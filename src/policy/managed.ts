import type { AccessSet } from './diff';
import type { Policy } from './evaluate';

/**
 * Every entitlement the policy can give anyone, per system. A mover only revokes within this
 * set, so access granted by hand or by another tool is never touched.
 */
export function managedEntitlements(policy: Policy): AccessSet {
  const out: Record<string, Set<string>> = {};
  for (const grant of [...policy.birthright, ...policy.rules.flatMap((r) => r.grant)]) {
    const set = (out[grant.system] ??= new Set());
    grant.entitlements.forEach((e) => set.add(e));
  }
  return Object.fromEntries(Object.entries(out).map(([system, set]) => [system, [...set].sort()]));
}
