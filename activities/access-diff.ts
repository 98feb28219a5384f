import type { WorkerAttributes } from '../src/hris/hr-event';
import { desiredAccess, managedEntitlements, needsApproval } from '../src/policy';
import type { ActivityDeps } from './deps';
import type { JoinerGrant } from './joiner-plan';
import { createSystemStepTools } from './system-step';
import { systemLogin, type SystemLogin } from '../src/identity/system-login';

interface Held {
  identity: SystemLogin;
  hasAccount: boolean;
  held: string[];
}

/** Per system: what the worker's attributes give that they do not hold yet (on a fresh read). */
export interface MissingAccess {
  system: string;
  hasAccount: boolean;
  grants: JoinerGrant[];
}

export interface MoverRevoke {
  system: string;
  /** What the system's account was looked up by (absent in plans made before systems could match by an HR field). */
  identity?: SystemLogin;
  entitlement: string;
  /** Rules that gave it under the previous attributes, when known. */
  previousRules: string[];
}

/**
 * Desired access against a fresh read of what the worker holds, within what the policy manages
 * (access granted by hand is never revoked). Shared by movers and by joiners re-planned after a
 * change before they finished.
 */
export function createAccessDiff(deps: ActivityDeps) {
  const { connectorFor } = createSystemStepTools(deps);
  const managed = managedEntitlements(deps.policy);

  /**
   * What the worker holds now in each system, of what the policy manages (fresh reads). "No
   * account" is believed only once the system proves reachable and authorised.
   */
  async function heldNow(worker: WorkerAttributes, systems: string[]): Promise<Map<string, Held>> {
    const out = new Map<string, Held>();
    await Promise.all(
      systems.map(async (system) => {
        const connector = connectorFor(system);
        const identity = systemLogin(worker, system, deps.matchBy);
        const account = identity.login ? await connector.findAccount(identity.login) : null;
        if (identity.login && !account) await connector.checkAccess();
        const held = account ? await connector.listEntitlements(account.id) : [];
        out.set(system, { identity, hasAccount: account !== null, held: held.filter((e) => managed[system]?.includes(e)) });
      }),
    );
    return out;
  }

  /** What the attributes give that is not held; `approval` says which grants wait for an approver. */
  async function missing(worker: WorkerAttributes, approval: (item: ReturnType<typeof desiredAccess>[number]) => boolean = needsApproval): Promise<MissingAccess[]> {
    const desired = desiredAccess(deps.policy, worker);
    const current = await heldNow(worker, [...new Set(desired.map((d) => d.system))]);
    const bySystem = new Map<string, JoinerGrant[]>();
    for (const item of desired) {
      if (current.get(item.system)?.held.includes(item.entitlement)) continue;
      const grants = bySystem.get(item.system) ?? [];
      grants.push({ entitlement: item.entitlement, sources: item.sources, approvalRequired: approval(item) });
      bySystem.set(item.system, grants);
    }
    return [...bySystem].map(([system, grants]) => ({ system, grants, hasAccount: current.get(system)?.hasAccount ?? false }));
  }

  /** Managed access the worker holds that the attributes no longer give. */
  async function stale(worker: WorkerAttributes, previous?: WorkerAttributes): Promise<MoverRevoke[]> {
    const desired = desiredAccess(deps.policy, worker);
    const before = previous ? desiredAccess(deps.policy, previous) : [];
    const current = await heldNow(worker, Object.keys(managed));
    const revokes: MoverRevoke[] = [];
    for (const [system, { held, identity }] of current) {
      for (const entitlement of held) {
        if (desired.some((d) => d.system === system && d.entitlement === entitlement)) continue;
        const was = before.find((d) => d.system === system && d.entitlement === entitlement);
        revokes.push({ system, identity, entitlement, previousRules: was?.sources.map((s) => s.rule) ?? [] });
      }
    }
    return revokes.sort((a, b) => (a.system + a.entitlement < b.system + b.entitlement ? -1 : 1));
  }

  return { missing, stale };
}
