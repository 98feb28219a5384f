import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, condition, log, setHandler, startChild } from '@temporalio/workflow';
import type { LeaverHold, LeaverPipeline, LeaverPlan, StepResult } from '../activities/leaver';
import { holdDecidedSignal, type HoldDecision } from '../src/temporal/messages';
import type { LeaverResult } from './leaver';
import { finishLeaver } from './leaver-finish';
import { afterSessionKill, runPipeline, type OthersStopped, type PipelineResult } from './leaver-pipeline';
import { bookkeeping, stepFor, systemSteps, watchSessionKillSla } from './leaver-steps';
import { massHoldWorkflow } from './mass-hold';

/** A held leaver whose hold was aborted: accounts stay enabled; the ended sessions were the only effect. */
export interface LeaverAborted {
  rescinded: false;
  aborted: true;
  holdId: string;
  terminationEffectiveAt: string;
  /** The session kills done before the hold was decided. */
  sessions: StepResult[];
}

export type HoldSignal = { holdId: string } & HoldDecision;

/** Takes the hold's decision when it arrives (a signal that came earlier is delivered on registration). */
export function holdDecisions(holdId: string): () => HoldSignal | undefined {
  let decided: HoldSignal | undefined;
  setHandler(holdDecidedSignal, (d) => {
    if (d.holdId === holdId) decided ??= d;
  });
  return () => decided;
}

/**
 * The leaver whose arrival opened the hold starts the hold's workflow as soon as it is planned
 * (before any wait for the termination's cutoff, so the security channel hears of a burst at
 * once); the hold outlives this leaver.
 */
export async function startHold(hold: LeaverHold): Promise<void> {
  try {
    await startChild(massHoldWorkflow, {
      workflowId: hold.holdId,
      args: [{ holdId: hold.holdId, hrSource: hold.hrSource, remindEveryMs: hold.remindEveryMs, escalateAfterMs: hold.escalateAfterMs, escalateTo: hold.escalateTo, deciders: hold.deciders }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: 'mass-termination hold: one decision for a burst of terminations',
    });
  } catch (err) {
    // A decision that found it missing may have started it already.
    if (err instanceof WorkflowExecutionAlreadyStartedError) log.info('the mass-termination hold was already started', { holdId: hold.holdId });
    else log.error('could not start the mass-termination hold; a decision through the API starts it', { holdId: hold.holdId, error: String(err) });
  }
}

const decisionDetail = (hold: LeaverHold, d: HoldSignal) => ({
  holdId: hold.holdId,
  decidedBy: d.decidedBy,
  decidedAt: d.decidedAt,
  via: d.via,
  ...(d.approver ? { approver: d.approver } : {}),
  ...(d.reason ? { decisionReason: d.reason } : {}),
});

/**
 * A leaver held by a mass-termination hold: sessions end at once in every system that can kill
 * them (unless holdSessionKills), then disabling and revoking wait for the hold's one decision.
 * Release: each system finishes its steps as any leaver's would. Abort: nothing more is done.
 */
export async function runHeld(
  leaver: LeaverPlan,
  hold: LeaverHold,
  pipelines: LeaverPipeline[],
  decided: () => HoldSignal | undefined,
  othersStopped?: OthersStopped,
): Promise<LeaverResult | LeaverAborted> {
  const notices: Promise<void>[] = [];
  const sla = watchSessionKillSla(leaver, notices, { alert: false });
  const ended = new Map<string, StepResult>();
  const atOnce = hold.holdSessionKills ? [] : pipelines.filter((p) => p.killsSessions);
  await Promise.all(
    atOnce.map(async (p) => {
      ended.set(p.system, await systemSteps(`kill sessions: ${p.system}`, 'ends sessions', p.system).killSessions(stepFor(leaver, p.system)));
    }),
  );
  const sessionsEnded = Object.fromEntries([...ended].map(([system, r]) => [system, { outcome: r.outcome, at: r.at }]));
  const waiting = pipelines.filter((p) => !ended.has(p.system)).map((p) => p.system);
  await bookkeeping.recordLeaverMilestone({
    action: 'leaver.held',
    plan: leaver,
    detail: {
      holdId: hold.holdId,
      holdSessionKills: hold.holdSessionKills,
      sessionsEnded,
      // Systems without a session call end sessions only by disabling, which the hold keeps back.
      sessionsHeld: waiting,
      waitsFor: 'release or abort of the hold (Slack, or POST /api/leavers/hold/:id)',
    },
  });

  await condition(() => decided() !== undefined);
  const d = decided() as HoldSignal;
  if (d.decision === 'abort') {
    await sla.settle();
    await bookkeeping.recordLeaverMilestone({
      action: 'leaver.hold_aborted',
      plan: leaver,
      detail: { ...decisionDetail(hold, d), sessionsEnded, accountsLeftEnabled: pipelines.map((p) => p.system), reason: `mass-termination hold ${hold.holdId} aborted: accounts left enabled` },
    });
    await Promise.all(notices);
    return { rescinded: false, aborted: true, holdId: hold.holdId, terminationEffectiveAt: leaver.terminationEffectiveAt, sessions: [...ended.values()] };
  }

  await bookkeeping.recordLeaverMilestone({ action: 'leaver.hold_released', plan: leaver, detail: decisionDetail(hold, d) });
  const running: Promise<PipelineResult[]> = Promise.all(
    pipelines.map((p) => {
      const step = stepFor(leaver, p.system);
      const killed = ended.get(p.system);
      return killed ? afterSessionKill(p, step, killed, othersStopped) : runPipeline(p, step, (system, r) => ended.set(system, r), othersStopped);
    }),
  );
  await Promise.race([condition(() => ended.size === pipelines.length), running]);
  await sla.settle();
  const slaBreached = sla.breached();
  const sessionsKilledAt = [...ended.values()].map((r) => r.at).sort().at(-1) ?? leaver.clockStartAt;
  const endedBy = Object.fromEntries([...ended].map(([system, r]) => [system, { outcome: r.outcome, at: r.at }]));
  const results = await running;
  return finishLeaver(leaver, results, { sessionsKilledAt, endedBy, slaBreached }, notices, { holdId: hold.holdId, decidedBy: d.decidedBy, decidedAt: d.decidedAt });
}
