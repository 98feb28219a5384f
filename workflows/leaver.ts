import { condition, getExternalWorkflowHandle, log, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { LeaverPlan, LeaverPipeline, StepResult } from '../activities/leaver';
import type { HrEvent } from '../src/hris/hr-event';
import { leaverEffectiveSignal, othersStoppedSignal, rescheduleLeaverSignal, rescindLeaverSignal } from '../src/temporal/messages';
import { SlaStatus } from '../src/temporal/search-attributes';
import { legacyLeaverSteps } from './leaver-legacy';
import { runPipeline, whenReady, type PipelineResult, type SessionEnd } from './leaver-pipeline';
import { elapsedMs, milestones, planning, rescheduling, securityChannel as notify, stepFor, watchSla } from './leaver-steps';
import { quietly } from './notify';

export interface LeaverInput {
  event: HrEvent;
  /**
   * Started by the worker's workflow, which stops any joiner or mover when told this leaver has
   * taken effect and says when they have stopped; disabling and revoking wait for that.
   */
  coordinated?: boolean;
}

export interface LeaverRescinded {
  rescinded: true;
  rescindedBy: string;
}

/** How one system's sessions ended, and when. */
export interface LeaverSystem {
  system: string;
  how: SessionEnd;
  sessionsEndedAt: string;
  /** The account the engine knew of was gone when the leaver came. */
  vanished?: boolean;
}

export interface LeaverResult {
  rescinded: false;
  terminationEffectiveAt: string;
  /** When the last system's sessions ended. */
  sessionsKilledAt: string;
  accessRevokedAt: string;
  slaBreached: boolean;
  /** Per system, the step that ended its sessions (the kill, or the disable where there is no kill). */
  sessions: StepResult[];
  disabled: StepResult[];
  entitlements: StepResult[];
  systems: LeaverSystem[];
}

/**
 * A worker leaves: wait for the termination to take effect (a rescind cancels the wait; a further
 * termination taking effect earlier brings it forward), then each system runs its own steps
 * (end sessions, disable, revoke) under the session-kill SLA, so that no system waits on another.
 * Each step is idempotent and verified by a fresh read in its activity.
 */
export async function leaverWorkflow(input: LeaverInput): Promise<LeaverResult | LeaverRescinded> {
  let rescindedBy: string | undefined;
  let effective = false;
  const reschedules: HrEvent[] = [];
  let others: { stopped: number } | undefined;
  setHandler(rescindLeaverSignal, ({ hrEventId }) => {
    if (effective) log.warn('rescind after the termination took effect: handled as a rehire', { hrEventId });
    else rescindedBy ??= hrEventId;
  });
  setHandler(rescheduleLeaverSignal, (event) => void reschedules.push(event));
  setHandler(othersStoppedSignal, (s) => void (others = { stopped: s?.stopped ?? 0 }));

  let leaver = await planning.planLeaver(input.event);
  for (;;) {
    if (leaver.waitMs > 0 && reschedules.length === 0) {
      await condition(() => rescindedBy !== undefined || reschedules.length > 0, leaver.waitMs, { summary: 'wait for termination cutoff' });
    }
    const next = rescindedBy === undefined ? reschedules.shift() : undefined;
    if (!next) break;
    leaver = (await rescheduling.rescheduleLeaver({ plan: leaver, event: next })).plan;
  }
  if (rescindedBy !== undefined) {
    await milestones.recordLeaverMilestone({ action: 'leaver.rescinded', plan: leaver, detail: { rescindedBy } });
    return { rescinded: true, rescindedBy };
  }
  effective = true;
  if (!patched('system-pipelines') || !leaver.pipelines) return legacyLeaverSteps(leaver);

  const parent = workflowInfo().parent;
  if (input.coordinated && parent) {
    // Told without waiting: the sessions are ended meanwhile; only disabling waits for the answer.
    void getExternalWorkflowHandle(parent.workflowId)
      .signal(leaverEffectiveSignal, { leaverWorkflowId: workflowInfo().workflowId })
      .catch((err: unknown) => {
        log.warn('could not tell the worker workflow that the termination took effect', { error: String(err) });
        others ??= { stopped: 0 };
      });
  } else {
    others = { stopped: 0 };
  }
  const result = await runSystems(leaver, leaver.pipelines, () => whenReady(() => others));
  // A further termination that reached this leaver only after it took effect changes nothing.
  for (const event of reschedules.splice(0)) {
    await rescheduling.recordHrEventSkipped({ event, reason: 'the termination had already taken effect' });
  }
  return result;
}

async function runSystems(
  leaver: LeaverPlan,
  pipelines: LeaverPipeline[],
  othersStopped: () => Promise<{ stopped: number }>,
): Promise<LeaverResult> {
  const notices: Promise<void>[] = [];
  const ended = new Map<string, StepResult>();
  const sla = watchSla(leaver, { alert: true, pendingSystems: () => pipelines.map((p) => p.system).filter((system) => !ended.has(system)) }, notices);

  const running = Promise.all(pipelines.map((p) => runPipeline(p, stepFor(leaver, p.system), (system, r) => ended.set(system, r), othersStopped)));
  // The SLA is met when every system's sessions have ended, whatever its later steps still do.
  await Promise.race([condition(() => ended.size === pipelines.length), running]);
  await sla.settle();
  const slaBreached = sla.breached();
  const sessionsKilledAt = [...ended.values()].map((r) => r.at).sort().at(-1) ?? leaver.clockStartAt;
  const endedBy = Object.fromEntries([...ended].map(([system, r]) => [system, { outcome: r.outcome, at: r.at }]));
  await milestones.recordLeaverMilestone({ action: 'leaver.sessions_killed', plan: leaver, detail: { systems: endedBy, sessionsKilledAt, slaBreached } });
  if (!slaBreached) upsertSearchAttributes([{ key: SlaStatus, value: 'met' }]);
  log.info('sessions ended in every system', { systems: pipelines.length, slaBreached });

  const results = await running;
  const accessRevokedAt = await milestones.recordLeaverMilestone({
    action: 'leaver.completed',
    plan: leaver,
    detail: {
      systems: Object.fromEntries(results.map((r) => [r.system, { sessions: r.how, disabled: r.disabled.outcome, entitlements: r.entitlements.outcome }])),
    },
  });
  if (elapsedMs(leaver, accessRevokedAt) > leaver.fullRevokeSlaMs) {
    await milestones.recordLeaverMilestone({ action: 'leaver.full_revoke_sla_breach', plan: leaver, detail: { slaMs: leaver.fullRevokeSlaMs } });
  }
  const systems = results.map(systemOf);
  notices.push(quietly(notify.notifyLeaverFinished(finishedNotice(leaver, results, { sessionsKilledAt, accessRevokedAt, slaBreached })), 'leaver finished'));
  await Promise.all(notices);
  return {
    rescinded: false,
    terminationEffectiveAt: leaver.terminationEffectiveAt,
    sessionsKilledAt,
    accessRevokedAt,
    slaBreached,
    sessions: results.map((r) => r.sessions),
    disabled: results.map((r) => r.disabled),
    entitlements: results.map((r) => r.entitlements),
    systems,
  };
}

function systemOf(r: PipelineResult): LeaverSystem {
  const vanished = [r.sessions, r.disabled, r.entitlements].some((s) => s.vanished === true);
  return { system: r.system, how: r.how, sessionsEndedAt: r.sessions.at, ...(vanished ? { vanished } : {}) };
}

function finishedNotice(leaver: LeaverPlan, results: PipelineResult[], t: { sessionsKilledAt: string; accessRevokedAt: string; slaBreached: boolean }) {
  return {
    employeeId: leaver.employeeId,
    hrSource: leaver.source,
    terminationEffectiveAt: leaver.terminationEffectiveAt,
    clockStartAt: leaver.clockStartAt,
    sessionsKilledAt: t.sessionsKilledAt,
    accessRevokedAt: t.accessRevokedAt,
    slaSeconds: Math.round((leaver.sessionKillSlaMs ?? leaver.sessionKillBudgetMs) / 1000),
    withinSla: !t.slaBreached,
    systems: results.map((r) => {
      const s = systemOf(r);
      return {
        system: r.system,
        sessions: r.sessions.outcome,
        disabled: r.disabled.outcome,
        entitlements: r.entitlements.outcome,
        sessionsEndedBy: s.how,
        sessionsEndedAt: s.sessionsEndedAt,
        ...(s.vanished ? { vanished: true } : {}),
      };
    }),
  };
}
