import type { HrEvent } from '../src/hris/hr-event';
import { workerTimeZone, terminationTakesEffectAt } from '../src/leaver/timing';
import type { ActivityDeps } from './deps';
import { currentRun } from './step';
import { createSystemStepTools, type StepResult, type SystemStep } from './system-step';

export type { StepResult, SystemStep } from './system-step';

export interface LeaverPlan {
  employeeId: string;
  source: HrEvent['source'];
  hrEventId: string;
  /** The account identity to look up in each system (work email); absent when HR gave none. */
  login?: string;
  systems: string[];
  terminationEffectiveAt: string;
  /** How long to wait before acting; 0 for immediate or past-dated terminations. */
  waitMs: number;
  /** Session-kill SLA left once the termination takes effect (less when the event arrived late). */
  sessionKillBudgetMs: number;
  /** Later of the termination taking effect and the event's receipt. */
  clockStartAt: string;
  /** The session-kill SLA as configured (the budget is what is left of it). */
  sessionKillSlaMs?: number;
  fullRevokeSlaMs: number;
}

export function createLeaverActivities(deps: ActivityDeps) {
  const { now, record, onAccount, milestone, hrStarted } = createSystemStepTools(deps);

  return {
    async planLeaver(event: HrEvent): Promise<LeaverPlan> {
      const at = now();
      const zone = workerTimeZone(event.worker.timeZone, deps.leaver.defaultTimeZone);
      const received = new Date(event.receivedAt);
      const effective = terminationTakesEffectAt(
        { effectiveDate: event.effectiveDate, immediate: event.immediate, timeZone: zone, cutoffLocalTime: deps.leaver.cutoffLocalTime },
        received,
      );
      // The SLA clock starts at the later of the termination taking effect and the event's receipt;
      // time already spent since then (intake, queueing) comes off the budget.
      const clockStart = Math.max(effective.getTime(), received.getTime());
      const lateBy = Math.max(0, at.getTime() - clockStart);
      const systems = [...deps.connectors.keys()];
      const plan: LeaverPlan = {
        employeeId: event.employeeId,
        source: event.source,
        hrEventId: event.eventId,
        login: event.worker.workEmail?.toLowerCase(),
        systems,
        terminationEffectiveAt: effective.toISOString(),
        waitMs: Math.max(0, effective.getTime() - at.getTime()),
        sessionKillBudgetMs: Math.max(0, deps.leaver.sessionKillSlaMs - lateBy),
        clockStartAt: new Date(clockStart).toISOString(),
        sessionKillSlaMs: deps.leaver.sessionKillSlaMs,
        fullRevokeSlaMs: deps.leaver.fullRevokeSlaMs,
      };
      await hrStarted('leaver.started', event, at, !!plan.login, {
        terminationEffectiveAt: plan.terminationEffectiveAt,
        hrEventReceivedAt: received.toISOString(),
        slaSeconds: deps.leaver.sessionKillSlaMs / 1000,
        fullRevokeSlaSeconds: deps.leaver.fullRevokeSlaMs / 1000,
        systems,
        timeZone: zone,
        immediate: event.immediate,
        ...(plan.login ? {} : { reason: 'HR record has no work email to match accounts by' }),
      });
      return plan;
    },

    async killSessions(step: SystemStep): Promise<StepResult> {
      return onAccount(step, 'sessions.kill', async (connector, accountId, entry) => {
        if (!connector.killSessions) return record(entry, 'skipped', 'system has no session kill; access ends when the account is disabled');
        await connector.killSessions(accountId);
        return record(entry, 'success');
      });
    },

    async disableAccount(step: SystemStep): Promise<StepResult> {
      return onAccount(step, 'account.disable', async (connector, accountId, entry) => {
        await connector.disableAccount(accountId);
        return record(entry, 'success');
      });
    },

    async revokeEntitlements(step: SystemStep): Promise<StepResult> {
      return onAccount(step, 'entitlements.revoke_all', async (connector, accountId, entry) => {
        const held = await connector.listEntitlements(accountId);
        for (const entitlement of held) {
          await connector.revokeEntitlement(accountId, entitlement);
          await record({ ...entry, action: 'entitlement.revoke', entitlement, stepKey: `${entry.stepKey}:${entitlement}` }, 'success');
        }
        const left = await connector.listEntitlements(accountId);
        if (left.length > 0) throw new Error(`still holds ${left.length} entitlement(s) after revoke; will re-check`);
        return record({ ...entry, context: { ...entry.context, revoked: held } }, 'success');
      });
    },

    async recordLeaverMilestone(input: {
      action: 'leaver.sessions_killed' | 'leaver.completed' | 'leaver.sla_breach' | 'leaver.full_revoke_sla_breach' | 'leaver.rescinded';
      plan: LeaverPlan;
      detail?: Record<string, unknown>;
    }): Promise<string> {
      const breach = input.action.endsWith('sla_breach');
      if (breach) {
        // The alert: an error-level line the log pipeline pages on (Slack alerts use the same event).
        deps.log.error({ alert: 'sla_breach', action: input.action, employeeId: input.plan.employeeId, workflowId: currentRun().workflowId }, 'leaver SLA breached');
      }
      return milestone(input.action, input.plan, breach ? 'sla_breach' : 'success', input.detail);
    },
  };
}

export type LeaverActivities = ReturnType<typeof createLeaverActivities>;
