import type { HrEvent, LifecycleKind, WorkerAttributes } from '../src/hris/hr-event';
import { joinerTiming } from '../src/joiner/timing';
import { workerTimeZone } from '../src/leaver/timing';
import { birthrightSource, desiredAccess, needsApproval, type AccessSource } from '../src/policy';
import { approvalWorker, type ApprovalWorker } from './approvals';
import type { ActivityDeps } from './deps';
import { withLogins, workEmailLogin, type SystemLogin } from '../src/identity/system-login';

export interface JoinerGrant {
  entitlement: string;
  sources: AccessSource[];
  approvalRequired: boolean;
}

export interface JoinerPlan {
  employeeId: string;
  source: HrEvent['source'];
  hrEventId: string;
  /** The work email login; systems matched by an HR field have theirs in logins. */
  login?: string;
  logins?: Record<string, SystemLogin>;
  firstName: string;
  lastName: string;
  /** What an approver is shown, and whose manager approves. */
  worker: ApprovalWorker;
  hrEvent: { kind: LifecycleKind; effectiveDate?: string };
  /** Only systems where the policy gives the worker something: no entitlement, no account. */
  systems: { system: string; grants: JoinerGrant[] }[];
  startAt: string;
  provisionWaitMs: number;
  started: boolean;
  /** The attributes the plan was made from (a re-plan revokes what only these gave). */
  workerAttributes?: WorkerAttributes;
}

/** What the policy gives the worker of a hire, where, and when to provision and enable it, as of `at`. */
export function joinerPlanFor(deps: ActivityDeps, event: HrEvent, options: { approvalBeyondBirthright?: boolean }, at: Date) {
  const zone = workerTimeZone(event.worker.timeZone, deps.leaver.defaultTimeZone);
  const timing = joinerTiming(event.effectiveDate, zone, deps.joiner.provisionLeadTimeMs, at, deps.joiner.startLocalTime);
  const bySystem = new Map<string, JoinerGrant[]>();
  for (const item of desiredAccess(deps.policy, event.worker)) {
    const grants = bySystem.get(item.system) ?? [];
    // A returning worker gets birthright at once; anything more is re-approved.
    const beyondBirthright = !item.sources.some((source) => source.rule === birthrightSource);
    grants.push({ entitlement: item.entitlement, sources: item.sources, approvalRequired: needsApproval(item) || (!!options.approvalBeyondBirthright && beyondBirthright) });
    bySystem.set(item.system, grants);
  }
  const plan: JoinerPlan = {
    employeeId: event.employeeId,
    source: event.source,
    hrEventId: event.eventId,
    login: workEmailLogin(event.worker),
    ...withLogins(event.worker, deps.matchBy),
    firstName: event.worker.firstName ?? '',
    lastName: event.worker.lastName ?? '',
    worker: approvalWorker(event),
    hrEvent: { kind: event.kind, ...(event.effectiveDate ? { effectiveDate: event.effectiveDate } : {}) },
    systems: [...bySystem].map(([system, grants]) => ({ system, grants })),
    startAt: timing.startAt.toISOString(),
    provisionWaitMs: Math.max(0, timing.provisionAt.getTime() - at.getTime()),
    started: timing.startAt.getTime() <= at.getTime(),
    workerAttributes: event.worker,
  };
  return { plan, zone, provisionAt: timing.provisionAt.toISOString() };
}
