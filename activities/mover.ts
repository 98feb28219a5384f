import type { HrEvent, WorkerAttributes } from '../src/hris/hr-event';
import { createAccessDiff, type MoverRevoke } from './access-diff';
import { approvalWorker, type ApprovalWorker } from './approvals';
import type { ActivityDeps } from './deps';
import type { JoinerGrant } from './joiner-plan';
import { currentRun } from './step';
import { withLogins, workEmailLogin, type SystemLogin } from '../src/identity/system-login';
import { createSystemStepTools, type StepResult, type SystemStep } from './system-step';

export type { MoverRevoke } from './access-diff';

export interface MoverGrantPlan {
  employeeId: string;
  source: HrEvent['source'];
  hrEventId: string;
  /** The work email login; systems matched by an HR field have theirs in logins. */
  login?: string;
  logins?: Record<string, SystemLogin>;
  firstName: string;
  lastName: string;
  /** What an approver is shown; the manager as of this change approves. */
  worker: ApprovalWorker;
  hrEvent: { kind: HrEvent['kind']; effectiveDate?: string };
  /** Per system: what the new role gives that the worker does not hold yet. */
  systems: { system: string; hasAccount: boolean; grants: JoinerGrant[] }[];
  revokeOldAccessAfterMs: number;
}

export interface RevokeStep extends SystemStep {
  entitlement: string;
  previousRules: string[];
  /** Why it goes (default: the policy no longer gives it after a change); an access review says whose decision. */
  reason?: string;
  /** More for the evidence (an access review's campaign and item). */
  detail?: Record<string, string>;
}

export function createMoverActivities(deps: ActivityDeps) {
  const { now, onAccount, record } = createSystemStepTools(deps);
  const diff = createAccessDiff(deps);

  return {
    /** New access the changed attributes give (pass counts re-plans after further changes). */
    async planMoverGrants(input: { event: HrEvent; pass: number }): Promise<MoverGrantPlan> {
      const run = currentRun();
      const { event } = input;
      const login = workEmailLogin(event.worker);
      const missing = await diff.missing(event.worker);
      const plan: MoverGrantPlan = {
        employeeId: event.employeeId,
        source: event.source,
        hrEventId: event.eventId,
        login,
        ...withLogins(event.worker, deps.matchBy),
        firstName: event.worker.firstName ?? '',
        lastName: event.worker.lastName ?? '',
        worker: approvalWorker(event),
        hrEvent: { kind: event.kind, ...(event.effectiveDate ? { effectiveDate: event.effectiveDate } : {}) },
        systems: missing,
        revokeOldAccessAfterMs: deps.mover.revokeOldAccessAfterMs,
      };
      await deps.evidence.append({
        stepKey: `${run.workflowId}:mover.planned:${input.pass}`,
        employeeId: event.employeeId,
        hrSource: event.source,
        actorType: 'hr',
        actorId: event.source,
        action: 'mover.planned',
        occurredAt: now().toISOString(),
        where: event.sourceIp,
        outcome: 'success',
        context: {
          workflowId: run.workflowId,
          runId: run.runId,
          hrEventId: event.eventId,
          changedFields: event.changedFields,
          grants: plan.systems.flatMap((s) => s.grants.map((g) => ({ system: s.system, entitlement: g.entitlement, rules: g.sources.map((x) => x.rule) }))),
        },
      });
      return plan;
    },

    /** Managed access the worker holds that the latest attributes no longer give. */
    async planMoverRevokes(input: { worker: WorkerAttributes; previous?: WorkerAttributes }): Promise<MoverRevoke[]> {
      return diff.stale(input.worker, input.previous);
    },

    async revokeEntitlement(step: RevokeStep): Promise<StepResult> {
      return onAccount(step, 'entitlement.revoke', async (connector, accountId, entry) => {
        await connector.revokeEntitlement(accountId, step.entitlement);
        return record(
          {
            ...entry,
            entitlement: step.entitlement,
            stepKey: `${entry.stepKey}:${step.entitlement}`,
            context: { ...entry.context, ...step.detail, rules: step.previousRules, reason: step.reason ?? 'no longer given by policy after a change' },
          },
          'success',
        );
      });
    },
  };
}

export type MoverActivities = ReturnType<typeof createMoverActivities>;
