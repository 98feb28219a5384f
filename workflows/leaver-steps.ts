import { CancellationScope, isCancellation, proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { HrEventActivities } from '../activities/hr-events';
import type { LeaverActivities, LeaverPlan, SystemStep } from '../activities/leaver';
import { SlaStatus } from '../src/temporal/search-attributes';
import { notifications, quietly } from './notify';

// Steps retry quickly at first (the session-kill SLA is a minute) and keep going until done.
export const leaverRetry = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

export const planning = proxyActivities<Pick<LeaverActivities, 'planLeaver'>>({
  startToCloseTimeout: '30s',
  retry: leaverRetry,
  summary: 'plan leaver: systems, timing, SLA budget',
});

export const rescheduling = proxyActivities<Pick<LeaverActivities, 'rescheduleLeaver'> & Pick<HrEventActivities, 'recordHrEventSkipped'>>({
  startToCloseTimeout: '30s',
  retry: leaverRetry,
  summary: 'a further termination: bring the leaver forward if it takes effect earlier',
});

export const milestones = proxyActivities<Pick<LeaverActivities, 'recordLeaverMilestone'>>({
  startToCloseTimeout: '30s',
  retry: leaverRetry,
  summary: 'record leaver milestone',
});

export const securityChannel = notifications('notify the security channel');

export function systemSteps(summary: string) {
  return proxyActivities<Pick<LeaverActivities, 'killSessions' | 'disableAccount' | 'revokeEntitlements'>>({
    startToCloseTimeout: '60s',
    retry: leaverRetry,
    summary,
  });
}

/** The step input for one system of a leaver. */
export function stepFor(leaver: LeaverPlan, system: string): SystemStep {
  return { system, login: leaver.login, employeeId: leaver.employeeId, source: leaver.source, hrEventId: leaver.hrEventId };
}

/** Time from the SLA clock start to an activity-reported instant (no workflow clock). */
export function elapsedMs(leaver: LeaverPlan, at: string): number {
  return new Date(at).getTime() - new Date(leaver.clockStartAt).getTime();
}

/**
 * The session-kill SLA, a timer beside the work: when it fires first, the breach is recorded
 * (with the systems still pending, when known), the workflow flagged and the channel alerted.
 * `settle()` stops the timer once every session has ended (if it has not fired) and waits for it.
 */
export function watchSla(leaver: LeaverPlan, options: { alert: boolean; pendingSystems?: () => string[] }, notices: Promise<void>[]) {
  let breached = false;
  const scope = new CancellationScope();
  const done = scope
    .run(async () => {
      await sleep(Math.max(1, leaver.sessionKillBudgetMs), { summary: 'session-kill SLA' });
      breached = true;
      upsertSearchAttributes([{ key: SlaStatus, value: 'breached' }]);
      const pending = options.pendingSystems ? { pendingSystems: options.pendingSystems() } : {};
      const breachAt = await milestones.recordLeaverMilestone({ action: 'leaver.sla_breach', plan: leaver, detail: { budgetMs: leaver.sessionKillBudgetMs, ...pending } });
      if (options.alert) {
        const alert = { employeeId: leaver.employeeId, hrSource: leaver.source, budgetMs: leaver.sessionKillBudgetMs, clockStartAt: leaver.clockStartAt, at: breachAt, ...pending };
        notices.push(quietly(securityChannel.alertSlaBreach(alert), 'sla breach'));
      }
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  return {
    breached: () => breached,
    async settle(): Promise<void> {
      if (!breached) scope.cancel();
      await done;
    },
  };
}
