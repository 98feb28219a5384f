import type { EvidenceRecord } from '../src/evidence/types';
import type { ActivityDeps } from './deps';
import type { LeaverPlan } from './leaver';
import { currentRun } from './step';
import { createSystemStepTools } from './system-step';

/** The step that ends a system's sessions: its kill, or its disable where it has no session call. */
function endedSessions(e: EvidenceRecord, killsSessions: boolean): boolean {
  const action = killsSessions ? 'sessions.kill' : 'account.disable';
  return e.action === action && (e.outcome === 'success' || e.outcome === 'not_found');
}

export function createLeaverSlaActivities(deps: ActivityDeps) {
  const { now, milestone } = createSystemStepTools(deps);
  return {
    /**
     * The session-kill SLA timer fired: which systems' sessions had not ended by the deadline,
     * judged from the evidence (a step that finished a moment before may not have reached the
     * workflow yet). A breach is recorded, with those systems, only when there are any.
     */
    async checkSessionKillSla(input: { plan: LeaverPlan }): Promise<{ breached: boolean; pendingSystems: string[]; at: string }> {
      const { plan } = input;
      const run = currentRun();
      const deadline = Date.parse(plan.clockStartAt) + (plan.sessionKillSlaMs ?? plan.sessionKillBudgetMs);
      const events = (await deps.evidence.forWorkflows?.([run.workflowId])) ?? [];
      const pendingSystems = (plan.pipelines ?? plan.systems.map((system) => ({ system, killsSessions: true })))
        .filter((p) => !events.some((e) => e.system === p.system && endedSessions(e, p.killsSessions) && Date.parse(e.occurredAt) <= deadline))
        .map((p) => p.system);
      const at = now().toISOString();
      if (pendingSystems.length === 0) return { breached: false, pendingSystems, at };
      deps.log.error({ alert: 'sla_breach', action: 'leaver.sla_breach', employeeId: plan.employeeId, workflowId: run.workflowId, pendingSystems }, 'leaver SLA breached');
      deps.metrics?.slaBreach('sessions');
      const breachAt = await milestone('leaver.sla_breach', plan, 'sla_breach', { budgetMs: plan.sessionKillBudgetMs, pendingSystems });
      return { breached: true, pendingSystems, at: breachAt };
    },
  };
}

export type LeaverSlaActivities = ReturnType<typeof createLeaverSlaActivities>;
