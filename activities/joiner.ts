import type { HrEvent, LifecycleKind } from '../src/hris/hr-event';
import { approvalWorker, type ApprovalWorker } from './approvals';
import { UnsupportedError } from '../src/connectors/errors';
import { joinerTiming } from '../src/joiner/timing';
import { workerTimeZone } from '../src/leaver/timing';
import { birthrightSource, desiredAccess, needsApproval, type AccessSource } from '../src/policy';
import type { ActivityDeps } from './deps';
import { recordingFailures } from './step';
import { createSystemStepTools, type StepResult, type SystemStep } from './system-step';

export interface JoinerGrant {
  entitlement: string;
  sources: AccessSource[];
  approvalRequired: boolean;
}

export interface JoinerPlan {
  employeeId: string;
  source: HrEvent['source'];
  hrEventId: string;
  login?: string;
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
}

export interface AccountStep extends SystemStep {
  firstName: string;
  lastName: string;
  /** Create the account active (the worker has started) or not yet active. */
  active: boolean;
}

export interface GrantStep extends SystemStep {
  grant: JoinerGrant;
  /** The approval that allowed this grant, when the policy asked for one. */
  approval?: { approvalId: string; decidedBy: string; reason?: string };
}

const rulesOf = (grant: JoinerGrant) => grant.sources.map((s) => s.rule);

export function createJoinerActivities(deps: ActivityDeps) {
  const { now, connectorFor, base, record, onAccount, milestone, hrStarted } = createSystemStepTools(deps);

  return {
    /** What the policy gives this worker, where, and when to provision and enable it. */
    async planJoiner(event: HrEvent, options: { approvalBeyondBirthright?: boolean } = {}): Promise<JoinerPlan> {
      const at = now();
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
        login: event.worker.workEmail?.toLowerCase(),
        firstName: event.worker.firstName ?? '',
        lastName: event.worker.lastName ?? '',
        worker: approvalWorker(event),
        hrEvent: { kind: event.kind, ...(event.effectiveDate ? { effectiveDate: event.effectiveDate } : {}) },
        systems: [...bySystem].map(([system, grants]) => ({ system, grants })),
        startAt: timing.startAt.toISOString(),
        provisionWaitMs: Math.max(0, timing.provisionAt.getTime() - at.getTime()),
        started: timing.startAt.getTime() <= at.getTime(),
      };
      await hrStarted('joiner.started', event, at, !!plan.login, {
        startAt: plan.startAt,
        provisionAt: timing.provisionAt.toISOString(),
        timeZone: zone,
        desired: plan.systems.map((s) => ({ system: s.system, entitlements: s.grants.map((g) => ({ entitlement: g.entitlement, rules: rulesOf(g) })) })),
        ...(plan.login ? {} : { reason: 'HR record has no work email to create accounts with' }),
      });
      return plan;
    },

    /** Time left until an instant (the workflow reads no clock). */
    async millisUntil(instant: string): Promise<number> {
      return Math.max(0, new Date(instant).getTime() - now().getTime());
    },

    /** Finds or creates the worker's account; an existing one is left as it is. */
    async ensureAccount(step: AccountStep): Promise<StepResult> {
      const connector = connectorFor(step.system);
      const entry = base(step, 'account.create', connector);
      if (!step.login) return record(entry, 'skipped', 'HR record has no work email to create accounts with');
      return recordingFailures(deps, entry, async () => {
        const existing = await connector.findAccount(step.login as string);
        if (existing) return { ...(await record(entry, 'skipped', 'account already exists')), accountId: existing.id };
        if (!connector.createAccount) throw new UnsupportedError(step.system, 'createAccount');
        const created = await connector.createAccount({ login: step.login as string, email: step.login as string, firstName: step.firstName, lastName: step.lastName, active: step.active });
        return { ...(await record(entry, 'success')), accountId: created.id };
      });
    },

    async grantEntitlement(step: GrantStep): Promise<StepResult> {
      return onAccount(step, 'entitlement.grant', async (connector, accountId, entry) => {
        const keyed = {
          ...entry,
          entitlement: step.grant.entitlement,
          stepKey: `${entry.stepKey}:${step.grant.entitlement}`,
          context: { ...entry.context, rules: rulesOf(step.grant), ...(step.approval ? { approval: step.approval } : {}) },
        };
        await connector.grantEntitlement(accountId, step.grant.entitlement);
        return record(keyed, 'success');
      });
    },

    async enableAccount(step: SystemStep): Promise<StepResult> {
      return onAccount(step, 'account.enable', async (connector, accountId, entry) => {
        if (!connector.enableAccount) throw new UnsupportedError(step.system, 'enableAccount');
        await connector.enableAccount(accountId);
        return record(entry, 'success');
      });
    },

    async recordJoinerMilestone(input: {
      action: 'joiner.provisioned' | 'joiner.completed' | 'joiner.rescinded' | 'mover.completed';
      plan: Pick<JoinerPlan, 'employeeId' | 'source' | 'hrEventId'>;
      detail?: Record<string, unknown>;
    }): Promise<string> {
      return milestone(input.action, input.plan, 'success', input.detail);
    },
  };
}

export type JoinerActivities = ReturnType<typeof createJoinerActivities>;
