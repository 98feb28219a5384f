import { proxyActivities } from '@temporalio/workflow';
import type { HrEventActivities } from '../activities/hr-events';
import type { LeaverActivities, LeaverPlan, SystemStep } from '../activities/leaver';
import { notifications } from './notify';

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
