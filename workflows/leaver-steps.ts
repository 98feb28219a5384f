import { CancellationScope, isCancellation, proxyActivities, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { HrEventActivities } from '../activities/hr-events';
import type { LeaverActivities, LeaverPlan, SystemStep } from '../activities/leaver';
import type { LeaverSlaActivities } from '../activities/leaver-sla';
import type { NotificationActivities } from '../activities/notifications';
import { SlaStatus } from '../src/temporal/search-attributes';
import { notifications, quietly } from './notify';
import { onSystemQueue } from './system-queue';
import { loginFor } from '../src/identity/system-login';

// Steps retry quickly at first (the session-kill SLA is a minute) and keep going until done.
export const leaverRetry = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/** Bookkeeping that needs no retries of its own (planning, milestones): local activities. */
export const bookkeeping = proxyLocalActivities<
  Pick<LeaverActivities, 'planLeaver' | 'rescheduleLeaver' | 'recordLeaverMilestone' | 'recordLeaverMilestones'> & Pick<HrEventActivities, 'recordHrEventSkipped'>
>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'leaver bookkeeping: plan, milestones',
});

/** The leaver's closing message, tried briefly in the workflow task; a regular activity takes over when Slack is slow. */
export const closingNotice = proxyLocalActivities<Pick<NotificationActivities, 'notifyLeaverFinished'>>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s' },
  summary: 'notify the security channel',
});

export const slaCheck = proxyActivities<Pick<LeaverSlaActivities, 'checkSessionKillSla'>>({
  startToCloseTimeout: '30s',
  retry: leaverRetry,
  summary: 'session-kill SLA: which systems had not ended their sessions by the deadline',
});

// ---- kept for leavers whose history began before the steps above ---------------------------

export const planning = proxyActivities<Pick<LeaverActivities, 'planLeaver'>>({
  startToCloseTimeout: '30s',
  retry: leaverRetry,
  summary: 'plan leaver: systems, timing, SLA budget',
});

export const milestones = proxyActivities<Pick<LeaverActivities, 'recordLeaverMilestone'>>({
  startToCloseTimeout: '30s',
  retry: leaverRetry,
  summary: 'record leaver milestone',
});

export const securityChannel = notifications('notify the security channel');

/**
 * A system's leaver steps. Those that end sessions run on the system's sessions queue, which the
 * server dispatches at once (a rate limit it holds per partition would keep even a lone session
 * kill waiting), and go first when activities queue up (a burst of leavers): no leaver's
 * disabling or revoking holds up another's session kill.
 */
export function systemSteps(summary: string, when: 'ends sessions' | 'after sessions', system: string) {
  return proxyActivities<Pick<LeaverActivities, 'killSessions' | 'disableAccount' | 'revokeEntitlements' | 'removeAccess'>>({
    ...onSystemQueue(system, when === 'ends sessions' ? 'sessions' : 'rest'),
    // In a burst a step waits its turn under the system's limits; it beats every few seconds
    // (activities/keep-alive.ts), so a worker lost mid-step is noticed by the heartbeat timeout.
    startToCloseTimeout: '15m',
    heartbeatTimeout: '30s',
    retry: leaverRetry,
    summary,
    priority: { priorityKey: when === 'ends sessions' ? 1 : 4 },
  });
}

/** The step input for one system of a leaver. */
export function stepFor(leaver: LeaverPlan, system: string): SystemStep {
  return { system, ...loginFor(leaver, system), employeeId: leaver.employeeId, source: leaver.source, hrEventId: leaver.hrEventId };
}

/** Time from the SLA clock start to an activity-reported instant (no workflow clock). */
export function elapsedMs(leaver: LeaverPlan, at: string): number {
  return new Date(at).getTime() - new Date(leaver.clockStartAt).getTime();
}

/**
 * The session-kill SLA, a timer beside the work, as leavers ran it before the evidence decided:
 * when it fires first, the breach is recorded, the workflow flagged and the channel alerted.
 * `settle()` stops the timer once every session has ended (if it has not fired) and waits for it.
 */
export function watchSla(leaver: LeaverPlan, options: { alert: boolean }, notices: Promise<void>[]) {
  let breached = false;
  const scope = new CancellationScope();
  const done = scope
    .run(async () => {
      await sleep(Math.max(1, leaver.sessionKillBudgetMs), { summary: 'session-kill SLA' });
      breached = true;
      upsertSearchAttributes([{ key: SlaStatus, value: 'breached' }]);
      const breachAt = await milestones.recordLeaverMilestone({ action: 'leaver.sla_breach', plan: leaver, detail: { budgetMs: leaver.sessionKillBudgetMs } });
      if (options.alert) {
        const alert = { employeeId: leaver.employeeId, hrSource: leaver.source, budgetMs: leaver.sessionKillBudgetMs, clockStartAt: leaver.clockStartAt, at: breachAt };
        notices.push(quietly(securityChannel.alertSlaBreach(alert), 'sla breach'));
      }
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  return { breached: () => breached, settle: settleOf(() => breached, scope, done) };
}

/**
 * The session-kill SLA: at the deadline, the evidence says which systems had not ended their
 * sessions; only then is a breach recorded (with them), the workflow flagged and the channel
 * alerted. A step that finished just before the deadline but reached the workflow after it is
 * no breach.
 */
export function watchSessionKillSla(leaver: LeaverPlan, notices: Promise<void>[], options: { alert?: boolean } = {}) {
  let breached = false;
  let fired = false;
  const scope = new CancellationScope();
  const done = scope
    .run(async () => {
      await sleep(Math.max(1, leaver.sessionKillBudgetMs), { summary: 'session-kill SLA' });
      fired = true;
      const check = await slaCheck.checkSessionKillSla({ plan: leaver });
      if (!check.breached) return;
      breached = true;
      upsertSearchAttributes([{ key: SlaStatus, value: 'breached' }]);
      const alert = { employeeId: leaver.employeeId, hrSource: leaver.source, budgetMs: leaver.sessionKillBudgetMs, clockStartAt: leaver.clockStartAt, at: check.at, pendingSystems: check.pendingSystems };
      // A held leaver's breach is recorded; the hold's own message already has the channel's attention.
      if (options.alert !== false) notices.push(quietly(securityChannel.alertSlaBreach(alert), 'sla breach'));
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  return { breached: () => breached, settle: settleOf(() => fired, scope, done) };
}

/** Stops the timer if it has not fired yet, then waits for whatever it started. */
function settleOf(fired: () => boolean, scope: CancellationScope, done: Promise<void>): () => Promise<void> {
  return async () => {
    if (!fired()) scope.cancel();
    await done;
  };
}
