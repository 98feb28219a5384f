import { condition, proxyActivities } from '@temporalio/workflow';
import { onSystemQueue } from './system-queue';
import { loginFor } from '../src/identity/system-login';
import type { JoinerActivities, JoinerPlan, JoinerReplan } from '../activities/joiner';
import type { LeaverActivities } from '../activities/leaver';
import type { StepResult, SystemStep } from '../activities/system-step';
import type { MoverActivities } from '../activities/mover';
import type { HrEvent } from '../src/hris/hr-event';
import type { ApprovalCancelReason } from '../src/temporal/messages';
import type { AccessGate } from './access-gate';
import { approvalIdFor, runApproval } from './approval-step';
import type { ApprovalBook } from './approvals';

export interface JoinerResult {
  rescinded: boolean;
  startAt: string;
  created: StepResult[];
  granted: StepResult[];
  /** How each approval the policy asked for ended (approved ones are also in granted). */
  approvals: StepResult[];
  enabled: StepResult[];
  /** Access removed because a change before the joiner finished no longer gives it. */
  revoked?: StepResult[];
  /** Set when the joiner was stopped because the worker left. */
  withdrawn?: 'worker_left';
  /** Set when its HR event did not check out against the inbox: nothing was done. */
  refused?: 'hr_event_unverified';
}

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

export const planning = proxyActivities<Pick<JoinerActivities, 'planJoiner' | 'millisUntil' | 'recordJoinerMilestone'>>({
  startToCloseTimeout: '30s',
  retry,
  summary: 'plan joiner / record milestone',
});

const replanning = proxyActivities<Pick<JoinerActivities, 'replanJoiner'>>({
  startToCloseTimeout: '60s',
  retry,
  summary: 're-plan joiner after a change: fresh read of what is held',
});

export function steps(summary: string, system: string) {
  return proxyActivities<
    Pick<JoinerActivities, 'ensureAccount' | 'grantEntitlement' | 'enableAccount'> &
      Pick<LeaverActivities, 'disableAccount' | 'revokeEntitlements'> &
      Pick<MoverActivities, 'revokeEntitlement'>
  >({ startToCloseTimeout: '60s', retry, summary, ...onSystemQueue(system) });
}

interface RunningApproval {
  system: string;
  entitlement: string;
  done: Promise<void>;
}

/**
 * What a running joiner holds: its current plan, the approvals it waits on, the systems it has
 * touched, and the gate every access step passes. A change re-plans it (`applyChange`).
 */
export class JoinerRun {
  readonly approvals = new Map<string, RunningApproval>();
  /** Systems where the joiner created or looked for an account (a rescind undoes them all). */
  readonly touched = new Set<string>();
  started = false;

  constructor(
    public plan: JoinerPlan,
    readonly result: JoinerResult,
    readonly gate: AccessGate,
    readonly book: ApprovalBook,
    readonly cancelled: () => ApprovalCancelReason | undefined,
    readonly approvalBeyondBirthright: boolean,
  ) {}

  step(system: string, repeat?: string): SystemStep {
    const p = this.plan;
    return { system, ...loginFor(p, system), employeeId: p.employeeId, source: p.source, hrEventId: p.hrEventId, ...(repeat ? { repeat } : {}) };
  }

  /** Accounts and grants that need no approval, per system in the plan (the gate may stop it). */
  async provision(): Promise<void> {
    await Promise.all(this.plan.systems.map((s) => this.provisionSystem(s.system, s.grants, true)));
  }

  private async provisionSystem(system: string, grants: JoinerPlan['systems'][number]['grants'], createAccount: boolean, repeat?: string, accountId?: string): Promise<void> {
    const acts = steps(`provision: ${system}`, system);
    this.touched.add(system);
    let id = accountId;
    if (createAccount) {
      const account = await this.gate.run(() => acts.ensureAccount({ ...this.step(system, repeat), firstName: this.plan.firstName, lastName: this.plan.lastName, active: this.plan.started || this.started }));
      if (!account) return;
      this.result.created.push(account);
      id = account.accountId;
    }
    // The grants reuse the account just found or created rather than looking it up again.
    for (const grant of grants.filter((g) => !g.approvalRequired)) {
      const granted = await this.gate.run(() => acts.grantEntitlement({ ...this.step(system, repeat), ...(id ? { accountId: id } : {}), grant }));
      if (!granted) return;
      this.result.granted.push(granted);
    }
  }

  /** Opens an approval for each grant of the plan that needs one (IDs keyed by the HR event that asked). */
  askApprovals(plan: JoinerPlan, askedBy: string, only?: (system: string, entitlement: string) => boolean): void {
    plan.systems.forEach((s) =>
      s.grants.forEach((grant, index) => {
        if (!grant.approvalRequired || (only && !only(s.system, grant.entitlement))) return;
        const approvalId = approvalIdFor({ ...plan, hrEventId: askedBy }, s.system, index);
        const request = { ...this.step(s.system), grant, approvalId, worker: plan.worker, hrEvent: plan.hrEvent };
        const done = runApproval(this.book, request, this.result, { cancelled: this.cancelled, gate: this.gate });
        this.approvals.set(approvalId, { system: s.system, entitlement: grant.entitlement, done });
      }),
    );
  }

  /**
   * Waits until every approval has ended, re-planning on each change that arrives meanwhile;
   * returns early once the joiner is told to stop.
   */
  async settleApprovals(changes: HrEvent[], stopped: () => boolean): Promise<void> {
    for (;;) {
      const waiting = [...this.approvals.values()].map((a) => a.done);
      let settled = false;
      await Promise.race([Promise.all(waiting).then(() => void (settled = true)), condition(() => changes.length > 0 || stopped())]);
      const change = stopped() ? undefined : changes.shift();
      if (change) await this.applyChange(change);
      else if (settled || stopped()) return;
    }
  }

  /** Waits for `ms`, re-planning on each change meanwhile; false when told to stop. */
  async waitApplyingChanges(ms: number, changes: HrEvent[], stopped: () => boolean, summary: string, remaining: () => Promise<number>): Promise<boolean> {
    let left = ms;
    while (left > 0) {
      const woke = await condition(() => stopped() || changes.length > 0, left, { summary });
      if (!woke || stopped()) break;
      await this.applyChange(changes.shift() as HrEvent);
      left = await remaining();
    }
    return !stopped();
  }

  /** A change before the joiner finished: the new plan; once provisioned, add and remove to match it. */
  async applyChange(change: HrEvent, provisioned = true): Promise<void> {
    const r: JoinerReplan = await replanning.replanJoiner({ plan: this.plan, change, provisioned, approvalBeyondBirthright: this.approvalBeyondBirthright });
    this.plan = r.plan;
    if (!provisioned) return;
    const still = (system: string, entitlement: string) => r.plan.systems.some((s) => s.system === system && s.grants.some((g) => g.entitlement === entitlement));
    const stale = [...this.approvals].filter(([, a]) => !still(a.system, a.entitlement)).map(([id]) => id);
    if (stale.length > 0) this.book.cancel('role_changed', stale);
    const repeat = change.eventId;
    await Promise.all(r.add.map((s) => this.provisionSystem(s.system, s.grants, !s.hasAccount, repeat)));
    const asked = new Set([...this.approvals.values()].filter((a) => still(a.system, a.entitlement)).map((a) => `${a.system}|${a.entitlement}`));
    const toAsk = new Set(r.add.flatMap((s) => s.grants.filter((g) => g.approvalRequired).map((g) => `${s.system}|${g.entitlement}`)));
    this.askApprovals(r.plan, change.eventId, (system, entitlement) => toAsk.has(`${system}|${entitlement}`) && !asked.has(`${system}|${entitlement}`));
    for (const revoke of r.revoke) {
      const removed = await this.gate.run(() =>
        steps(`revoke: ${revoke.system}`, revoke.system).revokeEntitlement({ ...this.step(revoke.system, repeat), entitlement: revoke.entitlement, previousRules: revoke.previousRules }),
      );
      if (removed) (this.result.revoked ??= []).push(removed);
    }
  }
}
