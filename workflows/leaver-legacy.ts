import { condition, log, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { LeaverPlan, StepResult } from '../activities/leaver';
import { rescindLeaverSignal } from '../src/temporal/messages';
import { SlaStatus } from '../src/temporal/search-attributes';
import { quietly } from './notify';
import { elapsedMs, milestones, planning, securityChannel as notify, stepFor, systemSteps, watchSla } from './leaver-steps';
import type { LeaverInput, LeaverRescinded, LeaverResult } from './leaver';

/**
 * How leavers ran before each system had its own pipeline: sessions killed in every system,
 * then accounts disabled in every system, then entitlements revoked. Kept, unchanged, for
 * leavers whose history already started down this path (replay must give the same commands).
 */
export async function legacyLeaverWorkflow(input: LeaverInput): Promise<LeaverResult | LeaverRescinded> {
  let rescindedBy: string | undefined;
  let effective = false;
  setHandler(rescindLeaverSignal, ({ hrEventId }) => {
    if (effective) log.warn('rescind after the termination took effect: handled as a rehire', { hrEventId });
    else rescindedBy ??= hrEventId;
  });
  const leaver = await planning.planLeaver(input.event);
  if (leaver.waitMs > 0) {
    await condition(() => rescindedBy !== undefined, leaver.waitMs, { summary: 'wait for termination cutoff' });
  }
  if (rescindedBy !== undefined) {
    await milestones.recordLeaverMilestone({ action: 'leaver.rescinded', plan: leaver, detail: { rescindedBy } });
    return { rescinded: true, rescindedBy };
  }
  effective = true;
  return legacyLeaverSteps(leaver);
}

async function legacyLeaverSteps(leaver: LeaverPlan): Promise<LeaverResult> {
  const steps = (system: string) => stepFor(leaver, system);
  const notices: Promise<void>[] = [];
  const notifies = patched('leaver-notifications');
  const sla = watchSla(leaver, { alert: notifies }, notices);

  const sessions = await Promise.all(leaver.systems.map((s) => systemSteps(`kill sessions: ${s}`, 'ends sessions', s).killSessions(steps(s))));
  await sla.settle();
  const slaBreached = sla.breached();
  const sessionsKilledAt = await milestones.recordLeaverMilestone({
    action: 'leaver.sessions_killed',
    plan: leaver,
    detail: { systems: outcomes(sessions), slaBreached },
  });
  if (!slaBreached) upsertSearchAttributes([{ key: SlaStatus, value: 'met' }]);
  log.info('sessions killed in every system', { systems: leaver.systems.length, slaBreached });

  const disabled = await Promise.all(leaver.systems.map((s) => systemSteps(`disable account: ${s}`, 'ends sessions', s).disableAccount(steps(s))));
  const entitlements = await Promise.all(leaver.systems.map((s) => systemSteps(`revoke entitlements: ${s}`, 'ends sessions', s).revokeEntitlements(steps(s))));
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
  return { rescinded: false, terminationEffectiveAt: leaver.terminationEffectiveAt, sessionsKilledAt, accessRevokedAt, slaBreached, sessions, disabled, entitlements, systems: [] };
}

function outcomes(results: StepResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.system, r.outcome]));
}
