import type { WorkerAttributes } from '../hris/hr-event';
import { desiredAccess, managedEntitlements, needsApproval, type Policy } from '../policy';
import { noLoginMessage, type AccountSummary, type ReadError, type SystemReading } from './reading';

export interface DesiredView {
  entitlement: string;
  rules: string[];
  approvalRequired: boolean;
}

/** One system: what the policy gives the worker against what a fresh read found. */
export interface SystemAccessView {
  system: string;
  account: AccountSummary | null;
  desired: DesiredView[];
  /** Every entitlement the account holds, managed by policy or not; null when not read. */
  provisioned: string[] | null;
  /** Desired but not held (including access still waiting for approval); null when not read. */
  missing: string[] | null;
  /** Held, managed by the policy, and not desired: what a change would revoke; null when not read. */
  extra: string[] | null;
  /** Why provisioned, missing and extra are unknown. */
  readError?: ReadError;
}

/** Desired against provisioned access, per system, in the order the readings come (config order). */
export function accessView(policy: Policy, worker: WorkerAttributes, readings: readonly SystemReading[]): SystemAccessView[] {
  const desired = desiredAccess(policy, worker);
  const managed = managedEntitlements(policy);
  return readings.map((reading) => {
    const wanted = desired
      .filter((d) => d.system === reading.system)
      .map((d): DesiredView => ({ entitlement: d.entitlement, rules: d.sources.map((s) => s.rule), approvalRequired: needsApproval(d) }));
    if (reading.state !== 'read') {
      const readError = reading.state === 'failed' ? reading.error : { code: 'no_login', message: noLoginMessage };
      return { system: reading.system, account: null, desired: wanted, provisioned: null, missing: null, extra: null, readError };
    }
    const held = [...new Set(reading.entitlements)].sort();
    const wantedNames = new Set(wanted.map((w) => w.entitlement));
    return {
      system: reading.system,
      account: reading.account,
      desired: wanted,
      provisioned: held,
      missing: wanted.map((w) => w.entitlement).filter((e) => !held.includes(e)),
      extra: held.filter((e) => !wantedNames.has(e) && (managed[reading.system]?.includes(e) ?? false)),
    };
  });
}
