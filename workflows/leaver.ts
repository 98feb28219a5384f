import { condition, getExternalWorkflowHandle, log, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { LeaverPlan, LeaverPipeline, StepResult } from '../activities/leaver';
import type { HrEvent } from '../src/hris/hr-event';
import { leaverEffectiveSignal, leaverWaitingSignal, othersStoppedSignal, rescheduleLeaverSignal, rescindLeaverSignal } from '../src/temporal/messages';
import { SlaStatus } from '../src/temporal/search-attributes';
import { legacyLeaverWorkflow } from './leaver-legacy';
import { runPipeline, whenReady, type SessionEnd } from './leaver-pipeline';
import { finishLeaver } from './leaver-finish';
import { holdDecisions, runHeld, startHold, type LeaverAborted } from './leaver-held';
import { bookkeeping, stepFor, watchSessionKillSla } from './leaver-steps';
import { genuine, genuineReference, lifecycleEvent, verifying } from './hr-verify';

export type { LeaverAborted } from './leaver-held';

export interface LeaverInput {
  event: HrEvent;
  /**
   * Started by the worker's workflow, which holds back new joiners and movers while this leaver
   * has not said it waits; when one may run beside it, the leaver tells it when it takes effect
   * and disabling and revoking wait for its answer that nothing else runs.
   */
  coordinated?: boolean;
  /** A joiner or mover was running for the worker when this leaver was started. */
  othersRunning?: boolean;
}

export interface LeaverRescinded {
  rescinded: true;
  rescindedBy: string;
}

/** Its HR event did not check out against the inbox (recorded and alerted): nothing was done. */
export interface LeaverRefused {
  rescinded: false;
  refused: 'hr_event_unverified';
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
  /** The mass-termination hold it waited on before disabling and revoking. */
  hold?: { holdId: string; decision: 'release' };
}

/**
 * A worker leaves: wait for the termination to take effect (a rescind cancels the wait; a further
 * termination taking effect earlier brings it forward), then each system runs its own steps
 * (end sessions, disable, revoke) under the session-kill SLA, so that no system waits on another.
 * Each step is idempotent and verified by a fresh read in its activity.
 */
export async function leaverWorkflow(input: LeaverInput): Promise<LeaverResult | LeaverRescinded | LeaverAborted | LeaverRefused> {
  // Leavers whose history began before the steps below keep their recorded course.
  if (!patched('leaver-v2')) return legacyLeaverWorkflow(input);
  let rescindedBy: string | undefined;
  let effective = false;
  const reschedules: HrEvent[] = [];
  let others: { stopped: number } | undefined;
  const worker = { source: input.event.source, employeeId: input.event.employeeId };
  const rescinded = (hrEventId: string) => {
    if (effective) log.warn('rescind after the termination took effect: handled as a rehire', { hrEventId });
    else rescindedBy ??= hrEventId;
  };
  // Runs that began since HR events are checked take a signalled one only once it checks out.
  setHandler(rescindLeaverSignal, ({ hrEventId }) => {
    if (!verifying()) return rescinded(hrEventId);
    return genuineReference({ ...worker, eventId: hrEventId, kinds: ['rescind'] }, 'lifecycle_signal').then((ok) => void (ok && rescinded(hrEventId)));
  });
  setHandler(rescheduleLeaverSignal, (event) => {
    if (!verifying()) return void reschedules.push(event);
    return genuine(lifecycleEvent(event, 'lifecycle_signal')).then((ok) => void (ok && reschedules.push(event)));
  });
  setHandler(othersStoppedSignal, (s) => void (others ??= { stopped: s?.stopped ?? 0 }));

  const parent = input.coordinated ? workflowInfo().parent : undefined;
  const tell = (send: () => Promise<void>, what: string) =>
    send().catch((err: unknown) => {
      log.warn(`could not tell the worker workflow ${what}`, { error: String(err) });
      others ??= { stopped: 0 };
    });
  // Before anything else: the termination must be the one the intake stored.
  if (!(await genuine(lifecycleEvent(input.event)))) return { rescinded: false, refused: 'hr_event_unverified' };
  let leaver = await bookkeeping.planLeaver(input.event);
  // Past leaver.massTermination's threshold: the hold's decision may arrive at any time from now.
  const holdDecided = leaver.hold ? holdDecisions(leaver.hold.holdId) : undefined;
  if (leaver.hold?.opened && patched('leaver-mass-hold')) await startHold(leaver.hold);
  let waited = false;
  for (;;) {
    if (leaver.waitMs > 0 && reschedules.length === 0) {
      if (parent && !waited) {
        // Joiners and movers may run for the worker during the wait (a notice period).
        void tell(() => getExternalWorkflowHandle(parent.workflowId).signal(leaverWaitingSignal, { leaverWorkflowId: workflowInfo().workflowId, until: leaver.terminationEffectiveAt }), 'that the leaver waits');
      }
      waited = true;
      await condition(() => rescindedBy !== undefined || reschedules.length > 0, leaver.waitMs, { summary: 'wait for termination cutoff' });
    }
    const next = rescindedBy === undefined ? reschedules.shift() : undefined;
    if (!next) break;
    leaver = (await bookkeeping.rescheduleLeaver({ plan: leaver, event: next })).plan;
  }
  if (rescindedBy !== undefined) {
    await bookkeeping.recordLeaverMilestone({ action: 'leaver.rescinded', plan: leaver, detail: { rescindedBy } });
    return { rescinded: true, rescindedBy };
  }
  effective = true;

  // Something may run beside this leaver: say it has taken effect (while the sessions are being
  // ended), and let disabling and revoking wait for the answer that nothing else runs.
  const handshake = parent !== undefined && (input.othersRunning === true || waited);
  if (handshake) void tell(() => getExternalWorkflowHandle(parent.workflowId).signal(leaverEffectiveSignal, { leaverWorkflowId: workflowInfo().workflowId }), 'that the termination took effect');
  const othersStopped = handshake ? () => whenReady(() => others) : undefined;
  const held = leaver.hold && holdDecided && patched('leaver-mass-hold') ? leaver.hold : undefined;
  const result = held && holdDecided ? await runHeld(leaver, held, leaver.pipelines ?? [], holdDecided, othersStopped) : await runSystems(leaver, leaver.pipelines ?? [], othersStopped);
  // A further termination that reached this leaver only after it took effect changes nothing.
  for (const event of reschedules.splice(0)) {
    await bookkeeping.recordHrEventSkipped({ event, reason: 'the termination had already taken effect' });
  }
  return result;
}

async function runSystems(leaver: LeaverPlan, pipelines: LeaverPipeline[], othersStopped?: () => Promise<{ stopped: number }>): Promise<LeaverResult> {
  const notices: Promise<void>[] = [];
  const ended = new Map<string, StepResult>();
  const sla = watchSessionKillSla(leaver, notices);

  const running = Promise.all(pipelines.map((p) => runPipeline(p, stepFor(leaver, p.system), (system, r) => ended.set(system, r), othersStopped)));
  // The SLA is met when every system's sessions have ended, whatever its later steps still do.
  await Promise.race([condition(() => ended.size === pipelines.length), running]);
  await sla.settle();
  const slaBreached = sla.breached();
  if (!slaBreached) upsertSearchAttributes([{ key: SlaStatus, value: 'met' }]);
  const sessionsKilledAt = [...ended.values()].map((r) => r.at).sort().at(-1) ?? leaver.clockStartAt;
  const endedBy = Object.fromEntries([...ended].map(([system, r]) => [system, { outcome: r.outcome, at: r.at }]));
  log.info('sessions ended in every system', { systems: pipelines.length, slaBreached });

  const results = await running;
  return finishLeaver(leaver, results, { sessionsKilledAt, endedBy, slaBreached }, notices);
}
