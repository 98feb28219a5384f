import { CancellationScope, condition, isCancellation, log, patched, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { LeaverActivities, LeaverPlan, StepResult, SystemStep } from '../activities/leaver';
import { notifications, quietly } from './notify';
import type { HrEvent } from '../src/hris/hr-event';
import { SlaStatus } from '../src/temporal/search-attributes';
import { rescindLeaverSignal } from '../src/temporal/messages';

export interface LeaverInput {
  event: HrEvent;
}


export interface LeaverRescinded {
  rescinded: true;
  rescindedBy: string;
}

export interface LeaverResult {
  rescinded: false;
  terminationEffectiveAt: string;
  sessionsKilledAt: string;
  accessRevokedAt: string;
  slaBreached: boolean;
  sessions: StepResult[];
  disabled: StepResult[];
  entitlements: StepResult[];
}

// Steps retry quickly at first (the session-kill SLA is a minute) and keep going until done.
const retry = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

const plan = proxyActivities<Pick<LeaverActivities, 'planLeaver'>>({
  startToCloseTimeout: '30s',
  retry,
  summary: 'plan leaver: systems, timing, SLA budget',
});

const milestones = proxyActivities<Pick<LeaverActivities, 'recordLeaverMilestone'>>({
  startToCloseTimeout: '30s',
  retry,
  summary: 'record leaver milestone',
});

const notify = notifications('notify the security channel');

function systemSteps(summary: string) {
  return proxyActivities<Pick<LeaverActivities, 'killSessions' | 'disableAccount' | 'revokeEntitlements'>>({
    startToCloseTimeout: '60s',
    retry,
    summary,
  });
}

/**
 * A worker leaves: wait for the termination to take effect, kill sessions in every connected
 * system in parallel under the session-kill SLA, then disable accounts, then remove
 * entitlements. Each step is idempotent and verified by a fresh read in its activity.
 */
export async function leaverWorkflow(input: LeaverInput): Promise<LeaverResult | LeaverRescinded> {
  let rescindedBy: string | undefined;
  let effective = false;
  setHandler(rescindLeaverSignal, ({ hrEventId }) => {
    if (effective) log.warn('rescind after the termination took effect: handled as a rehire', { hrEventId });
    else rescindedBy ??= hrEventId;
  });

  const leaver = await plan.planLeaver(input.event);
  if (leaver.waitMs > 0) {
    await condition(() => rescindedBy !== undefined, leaver.waitMs, { summary: 'wait for termination cutoff' });
  }
  if (rescindedBy !== undefined) {
    await milestones.recordLeaverMilestone({ action: 'leaver.rescinded', plan: leaver, detail: { rescindedBy } });
    return { rescinded: true, rescindedBy };
  }
  effective = true;

  const steps = (step: SystemStep['system']): SystemStep => ({
    system: step,
    login: leaver.login,
    employeeId: leaver.employeeId,
    source: leaver.source,
    hrEventId: leaver.hrEventId,
  });

  const notices: Promise<void>[] = [];
  const notifies = patched('leaver-notifications');
  let slaBreached = false;
  const slaWatch = new CancellationScope();
  const slaTimer = slaWatch
    .run(async () => {
      await sleep(Math.max(1, leaver.sessionKillBudgetMs), { summary: 'session-kill SLA' });
      slaBreached = true;
      upsertSearchAttributes([{ key: SlaStatus, value: 'breached' }]);
      const breachAt = await milestones.recordLeaverMilestone({ action: 'leaver.sla_breach', plan: leaver, detail: { budgetMs: leaver.sessionKillBudgetMs } });
      if (notifies) {
        const alert = { employeeId: leaver.employeeId, hrSource: leaver.source, budgetMs: leaver.sessionKillBudgetMs, clockStartAt: leaver.clockStartAt, at: breachAt };
        notices.push(quietly(notify.alertSlaBreach(alert), 'sla breach'));
      }
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });

  const sessions = await Promise.all(leaver.systems.map((s) => systemSteps(`kill sessions: ${s}`).killSessions(steps(s))));
  if (!slaBreached) slaWatch.cancel();
  await slaTimer;
  const sessionsKilledAt = await milestones.recordLeaverMilestone({
    action: 'leaver.sessions_killed',
    plan: leaver,
    detail: { systems: outcomes(sessions), slaBreached },
  });
  if (!slaBreached) upsertSearchAttributes([{ key: SlaStatus, value: 'met' }]);
  log.info('sessions killed in every system', { systems: leaver.systems.length, slaBreached });

  const disabled = await Promise.all(leaver.systems.map((s) => systemSteps(`disable account: ${s}`).disableAccount(steps(s))));
  const entitlements = await Promise.all(leaver.systems.map((s) => systemSteps(`revoke entitlements: ${s}`).revokeEntitlements(steps(s))));
  const accessRevokedAt = await milestones.recordLeaverMilestone({
    action: 'leaver.completed',
    plan: leaver,
    detail: { disabled: outcomes(disabled), entitlements: outcomes(entitlements) },
  });
  const fullRevokeLate = elapsedMs(leaver, accessRevokedAt) > leaver.fullRevokeSlaMs;
  if (fullRevokeLate) {
    await milestones.recordLeaverMilestone({ action: 'leaver.full_revoke_sla_breach', plan: leaver, detail: { slaMs: leaver.fullRevokeSlaMs } });
  }
  if (notifies) {
    const finished = notify.notifyLeaverFinished({
      employeeId: leaver.employeeId,
      hrSource: leaver.source,
      terminationEffectiveAt: leaver.terminationEffectiveAt,
      clockStartAt: leaver.clockStartAt,
      sessionsKilledAt,
      accessRevokedAt,
      slaSeconds: Math.round((leaver.sessionKillSlaMs ?? leaver.sessionKillBudgetMs) / 1000),
      withinSla: !slaBreached,
      systems: leaver.systems.map((system, i) => ({
        system,
        sessions: sessions[i]?.outcome ?? 'skipped',
        disabled: disabled[i]?.outcome ?? 'skipped',
        entitlements: entitlements[i]?.outcome ?? 'skipped',
      })),
    });
    notices.push(quietly(finished, 'leaver finished'));
  }
  await Promise.all(notices);
  return { rescinded: false, terminationEffectiveAt: leaver.terminationEffectiveAt, sessionsKilledAt, accessRevokedAt, slaBreached, sessions, disabled, entitlements };
}

function outcomes(results: StepResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.system, r.outcome]));
}

/** Time from the SLA clock start to an activity-reported instant (no workflow clock). */
function elapsedMs(leaver: LeaverPlan, at: string): number {
  return new Date(at).getTime() - new Date(leaver.clockStartAt).getTime();
}
