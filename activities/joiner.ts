import type { HrEvent } from '../src/hris/hr-event';
import type { DesiredEntitlement } from '../src/policy';
import { createAccessDiff, type MissingAccess, type MoverRevoke } from './access-diff';
import type { ActivityDeps } from './deps';
import { joinerPlanFor, type JoinerGrant, type JoinerPlan } from './joiner-plan';
import { currentRun, recordingFailures } from './step';
import { createSystemStepTools, type StepResult, type SystemStep } from './system-step';
import { noLoginReason } from '../src/identity/system-login';

export type { JoinerGrant, JoinerPlan } from './joiner-plan';

/** A joiner's plan after a change, and (once provisioned) what to add and remove now. */
export interface JoinerReplan {
  plan: JoinerPlan;
  add: MissingAccess[];
  revoke: MoverRevoke[];
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

const desiredOf = (plan: JoinerPlan) =>
  plan.systems.map((s) => ({ system: s.system, entitlements: s.grants.map((g) => ({ entitlement: g.entitlement, rules: rulesOf(g) })) }));

export function createJoinerActivities(deps: ActivityDeps) {
  const { now, connectorFor, base, record, onAccount, milestone, hrStarted } = createSystemStepTools(deps);
  const diff = createAccessDiff(deps);

  return {
    /** What the policy gives this worker, where, and when to provision and enable it. */
    async planJoiner(event: HrEvent, options: { approvalBeyondBirthright?: boolean } = {}): Promise<JoinerPlan> {
      const at = now();
      const { plan, zone, provisionAt } = joinerPlanFor(deps, event, options, at);
      await hrStarted('joiner.started', event, at, !!plan.login, {
        startAt: plan.startAt,
        provisionAt,
        timeZone: zone,
        desired: desiredOf(plan),
        ...(plan.login ? {} : { reason: 'HR record has no work email to create accounts with' }),
      });
      return plan;
    },

    /**
     * A change before the joiner finished: the plan from the worker's new attributes (same start
     * date) and, once provisioned, what to add and what to remove on a fresh read of what the
     * worker holds. Recorded as joiner.replanned with the change's HR event.
     */
    async replanJoiner(input: { plan: JoinerPlan; change: HrEvent; provisioned: boolean; approvalBeyondBirthright?: boolean }): Promise<JoinerReplan> {
      const at = now();
      const run = currentRun();
      const { change } = input;
      const hire = { ...change, eventId: input.plan.hrEventId, kind: input.plan.hrEvent.kind, effectiveDate: input.plan.hrEvent.effectiveDate };
      const { plan } = joinerPlanFor(deps, hire, input, at);
      const approval = (item: DesiredEntitlement) => plan.systems.some((s) => s.system === item.system && s.grants.some((g) => g.entitlement === item.entitlement && g.approvalRequired));
      const add = input.provisioned ? await diff.missing(change.worker, approval) : [];
      const revoke = input.provisioned ? await diff.stale(change.worker, input.plan.workerAttributes) : [];
      await deps.evidence.append({
        stepKey: `${run.workflowId}:joiner.replanned:${change.eventId}`,
        employeeId: change.employeeId,
        hrSource: change.source,
        actorType: 'hr',
        actorId: change.source,
        action: 'joiner.replanned',
        occurredAt: at.toISOString(),
        where: change.sourceIp,
        outcome: 'success',
        context: {
          workflowId: run.workflowId,
          runId: run.runId,
          hrEventId: change.eventId,
          changedFields: change.changedFields,
          desired: desiredOf(plan),
          add: add.flatMap((s) => s.grants.map((g) => ({ system: s.system, entitlement: g.entitlement, approvalRequired: g.approvalRequired }))),
          revoke: revoke.map((r) => ({ system: r.system, entitlement: r.entitlement })),
        },
      });
      return { plan: { ...plan, hrEventId: input.plan.hrEventId }, add, revoke };
    },

    /** Time left until an instant (the workflow reads no clock). */
    async millisUntil(instant: string): Promise<number> {
      return Math.max(0, new Date(instant).getTime() - now().getTime());
    },

    /** Finds or creates the worker's account; an existing one is left as it is. */
    async ensureAccount(step: AccountStep): Promise<StepResult> {
      const connector = connectorFor(step.system);
      const entry = base(step, 'account.create', connector);
      if (!step.login) return record(entry, 'skipped', noLoginReason(step.matchBy, 'create accounts with'));
      return recordingFailures(deps, entry, async () => {
        const existing = await connector.findAccount(step.login as string);
        if (existing) return { ...(await record(entry, 'skipped', 'account already exists')), accountId: existing.id };
        // Systems whose accounts are the person's own (GitHub: they link theirs through SSO) are
        // never created here; grants find the account once it exists, and say not_found until then.
        if (!connector.createAccount) {
          // "None linked yet" is believed only once the system proves reachable and authorised.
          await connector.checkAccess();
          return record(entry, 'skipped', 'the system does not create accounts (the person links their own); none linked yet');
        }
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
        // A grant a reviewer revoked is not given again silently: the evidence names the review.
        const exception = await deps.reviews?.store.exceptionFor(step.source, step.employeeId, step.system, step.grant.entitlement);
        await connector.grantEntitlement(accountId, step.grant.entitlement);
        if (!exception) return record(keyed, 'success');
        const note = `granted again by policy though revoked in access review ${exception.campaignId} (${exception.reason})`;
        const result = await record({ ...keyed, context: { ...keyed.context, reviewException: exception } }, 'success', note);
        await deps.reviews?.store.clearException(step.source, step.employeeId, step.system, step.grant.entitlement, currentRun().workflowId, result.at);
        return result;
      });
    },

    async enableAccount(step: SystemStep): Promise<StepResult> {
      return onAccount(step, 'account.enable', async (connector, accountId, entry) => {
        if (!connector.enableAccount) return record(entry, 'skipped', 'the system has no account enable (its accounts are not created inactive)');
        await connector.enableAccount(accountId);
        return record(entry, 'success');
      });
    },

    async recordJoinerMilestone(input: {
      action: 'joiner.provisioned' | 'joiner.completed' | 'joiner.rescinded' | 'joiner.withdrawn' | 'mover.completed' | 'mover.withdrawn';
      plan: Pick<JoinerPlan, 'employeeId' | 'source' | 'hrEventId'>;
      detail?: Record<string, unknown>;
    }): Promise<string> {
      return milestone(input.action, input.plan, 'success', input.detail);
    },
  };
}

export type JoinerActivities = ReturnType<typeof createJoinerActivities>;
