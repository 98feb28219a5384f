import type { WorkerAttributes } from '../hris/hr-event';
import { birthrightSource, desiredAccess, diffAccess, managedEntitlements, type AccessGrant, type AccessSet, type Policy } from '../policy';
import { noLoginMessage, type AccountSummary, type ReadError, type SystemReading } from './reading';

export const previewEvents = ['hire', 'change', 'terminate'] as const;
export type PreviewEvent = (typeof previewEvents)[number];

export interface PlannedGrant {
  entitlement: string;
  /** The policy rules that give it ('birthright' or the rule's label). */
  rules: string[];
}

/** What the engine would do in one system; nothing here has been done. */
export interface SystemPreview {
  system: string;
  account: AccountSummary | null;
  createAccount: boolean;
  /** Granted at once: no approval needed. */
  grants: PlannedGrant[];
  /** Asked for in an approval first, granted once approved. */
  approvals: PlannedGrant[];
  revokes: string[];
  killSessions: boolean;
  disableAccount: boolean;
  /** Why something is, or is not, planned here. */
  notes: string[];
  /** The read failed: nothing is known about this system, so nothing is planned. */
  error?: ReadError;
}

export interface PreviewPlan {
  systems: SystemPreview[];
  /** Steps in total (accounts created or disabled, grants, approvals, revokes, session kills). */
  steps: number;
  /** False when a system could not be read: the plan leaves it out. */
  complete: boolean;
}

export interface PreviewInput {
  event: PreviewEvent;
  policy: Policy;
  worker: WorkerAttributes;
  readings: readonly SystemReading[];
  /** A hire for a worker who has left is a rehire: access beyond birthright is approved again. */
  rehire?: boolean;
}

/**
 * What an HR event would change, from the worker's attributes and a fresh read of each system,
 * following the lifecycle workflows with the same policy functions:
 * - hire (joiner): an account where the policy gives access and none exists, the grants the
 *   worker does not hold yet, approvals for those only approval gives. Nothing is revoked.
 * - change (mover): the same grants and approvals, plus revoking what the policy manages, the
 *   worker holds, and the new attributes no longer give. Access the policy never gives stays.
 * - terminate (leaver): in every system with an account: sessions killed, account disabled,
 *   every entitlement it holds revoked, whoever granted it.
 */
export function planPreview(input: PreviewInput): PreviewPlan {
  const systems = input.event === 'terminate' ? input.readings.map(planLeaver) : planAccessChange(input);
  const steps = systems.reduce(
    (n, s) => n + Number(s.createAccount) + s.grants.length + s.approvals.length + s.revokes.length + Number(s.killSessions) + Number(s.disableAccount),
    0,
  );
  return { systems, steps, complete: systems.every((s) => !s.error) };
}

function planAccessChange(input: PreviewInput): SystemPreview[] {
  const desired = desiredAccess(input.policy, input.worker);
  const managed = managedEntitlements(input.policy);
  const heldManaged: AccessSet = Object.fromEntries(
    input.readings.flatMap((r) => (r.state === 'read' ? [[r.system, r.entitlements.filter((e) => managed[r.system]?.includes(e))]] : [])),
  );
  const diff = diffAccess(heldManaged, desired);
  const reapproved = input.rehire === true && input.event === 'hire';
  const waitsForApproval = (g: AccessGrant) => g.approval === 'required' || (reapproved && !g.sources.some((s) => s.rule === birthrightSource));

  return input.readings.map((reading) => {
    const out = empty(reading);
    const wantsHere = desired.some((d) => d.system === reading.system);
    if (reading.state === 'no_login') {
      if (wantsHere) out.notes.push(`${noLoginMessage}: no account can be created or granted here`);
      return out;
    }
    if (reading.state !== 'read') return out;
    const grantsHere = diff.grants.filter((g) => g.system === reading.system);
    out.grants = grantsHere.filter((g) => !waitsForApproval(g)).map(planned);
    out.approvals = grantsHere.filter(waitsForApproval).map(planned);
    out.createAccount = reading.account === null && wantsHere;
    if (input.event === 'change') out.revokes = diff.revokes.filter((r) => r.system === reading.system).map((r) => r.entitlement);
    if (out.createAccount && !reading.abilities.includes('createAccount')) out.notes.push('this connector cannot create accounts: the step would fail');
    if (reading.account && reading.account.status !== 'active' && (out.grants.length > 0 || out.approvals.length > 0)) {
      out.notes.push(`the account is ${reading.account.status}; grants apply to it as it is`);
    }
    return out;
  });
}

function planLeaver(reading: SystemReading): SystemPreview {
  const out = empty(reading);
  if (reading.state === 'no_login') out.notes.push(`${noLoginMessage}: the leaver records a skip here`);
  if (reading.state !== 'read' || !reading.account) return out;
  out.killSessions = reading.abilities.includes('killSessions');
  if (!out.killSessions) out.notes.push('no session kill in this system; access ends when the account is disabled');
  out.disableAccount = true;
  if (reading.account.status !== 'active') out.notes.push(`the account is already ${reading.account.status}`);
  out.revokes = [...new Set(reading.entitlements)].sort();
  return out;
}

function empty(reading: SystemReading): SystemPreview {
  return {
    system: reading.system,
    account: reading.state === 'read' ? reading.account : null,
    createAccount: false,
    grants: [],
    approvals: [],
    revokes: [],
    killSessions: false,
    disableAccount: false,
    notes: [],
    ...(reading.state === 'failed' ? { error: reading.error } : {}),
  };
}

function planned(grant: AccessGrant): PlannedGrant {
  return { entitlement: grant.entitlement, rules: grant.sources.map((s) => s.rule) };
}
