import type { HrEvent, WorkerAttributes } from '../src/hris/hr-event';
import { desiredAccess, managedEntitlements, needsApproval } from '../src/policy';
import { approvalWorker, type ApprovalWorker } from './approvals';
import type { ActivityDeps } from './deps';
import type { JoinerGrant } from './joiner';
import { currentRun } from './step';
import { createSystemStepTools, type StepResult, type SystemStep } from './system-step';

export interface MoverGrantPlan {
  employeeId: string;
  source: HrEvent['source'];
  hrEventId: string;
  login?: string;
  firstName: string;
  lastName: string;
  /** What an approver is shown; the manager as of this change approves. */
  worker: ApprovalWorker;
  hrEvent: { kind: HrEvent['kind']; effectiveDate?: string };
  /** Per system: what the new role gives that the worker does not hold yet. */
  systems: { system: string; hasAccount: boolean; grants: JoinerGrant[] }[];
  revokeOldAccessAfterMs: number;
}

export interface MoverRevoke {
  system: string;
  entitlement: string;
  /** Rules that gave it under the previous attributes, when known. */
  previousRules: string[];
}

export interface RevokeStep extends SystemStep {
  entitlement: string;
  previousRules: string[];
}

export function createMoverActivities(deps: ActivityDeps) {
  const { now, connectorFor, onAccount, record } = createSystemStepTools(deps);
  const managed = managedEntitlements(deps.policy);

  /** What the worker holds now in each system, of what the policy manages (fresh reads). */
  async function heldNow(login: string | undefined, systems: string[]): Promise<Map<string, { hasAccount: boolean; held: string[] }>> {
    const out = new Map<string, { hasAccount: boolean; held: string[] }>();
    await Promise.all(
      systems.map(async (system) => {
        const connector = connectorFor(system);
        const account = login ? await connector.findAccount(login) : null;
        const held = account ? await connector.listEntitlements(account.id) : [];
        out.set(system, { hasAccount: account !== null, held: held.filter((e) => managed[system]?.includes(e)) });
      }),
    );
    return out;
  }

  return {
    /** New access the changed attributes give (pass counts re-plans after further changes). */
    async planMoverGrants(input: { event: HrEvent; pass: number }): Promise<MoverGrantPlan> {
      const run = currentRun();
      const { event } = input;
      const login = event.worker.workEmail?.toLowerCase();
      const desired = desiredAccess(deps.policy, event.worker);
      const current = await heldNow(login, [...new Set(desired.map((d) => d.system))]);
      const bySystem = new Map<string, JoinerGrant[]>();
      for (const item of desired) {
        if (current.get(item.system)?.held.includes(item.entitlement)) continue;
        const grants = bySystem.get(item.system) ?? [];
        grants.push({ entitlement: item.entitlement, sources: item.sources, approvalRequired: needsApproval(item) });
        bySystem.set(item.system, grants);
      }
      const plan: MoverGrantPlan = {
        employeeId: event.employeeId,
        source: event.source,
        hrEventId: event.eventId,
        login,
        firstName: event.worker.firstName ?? '',
        lastName: event.worker.lastName ?? '',
        worker: approvalWorker(event),
        hrEvent: { kind: event.kind, ...(event.effectiveDate ? { effectiveDate: event.effectiveDate } : {}) },
        systems: [...bySystem].map(([system, grants]) => ({ system, grants, hasAccount: current.get(system)?.hasAccount ?? false })),
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
      const desired = desiredAccess(deps.policy, input.worker);
      const before = input.previous ? desiredAccess(deps.policy, input.previous) : [];
      const current = await heldNow(input.worker.workEmail?.toLowerCase(), Object.keys(managed));
      const revokes: MoverRevoke[] = [];
      for (const [system, { held }] of current) {
        for (const entitlement of held) {
          if (desired.some((d) => d.system === system && d.entitlement === entitlement)) continue;
          const was = before.find((d) => d.system === system && d.entitlement === entitlement);
          revokes.push({ system, entitlement, previousRules: was?.sources.map((s) => s.rule) ?? [] });
        }
      }
      return revokes.sort((a, b) => (a.system + a.entitlement < b.system + b.entitlement ? -1 : 1));
    },

    async revokeEntitlement(step: RevokeStep): Promise<StepResult> {
      return onAccount(step, 'entitlement.revoke', async (connector, accountId, entry) => {
        await connector.revokeEntitlement(accountId, step.entitlement);
        return record(
          {
            ...entry,
            entitlement: step.entitlement,
            stepKey: `${entry.stepKey}:${step.entitlement}`,
            context: { ...entry.context, rules: step.previousRules, reason: 'no longer given by policy after a change' },
          },
          'success',
        );
      });
    },
  };
}

export type MoverActivities = ReturnType<typeof createMoverActivities>;
