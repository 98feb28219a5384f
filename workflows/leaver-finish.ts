import type { LeaverPlan } from '../activities/leaver';
import type { LeaverResult, LeaverSystem } from './leaver';
import type { PipelineResult } from './leaver-pipeline';
import { bookkeeping, closingNotice, elapsedMs, securityChannel } from './leaver-steps';
import { quietly } from './notify';

/** The hold a leaver waited on, once released. */
export interface ReleasedHold {
  holdId: string;
  decidedBy: string;
  decidedAt: string;
}

/**
 * A leaver's closing, once every system's steps are done: the milestones in one step (each at the
 * moment it happened), the security channel's notice, and the result.
 */
export async function finishLeaver(
  leaver: LeaverPlan,
  results: PipelineResult[],
  t: { sessionsKilledAt: string; endedBy: Record<string, { outcome: string; at: string }>; slaBreached: boolean },
  notices: Promise<void>[],
  hold?: ReleasedHold,
): Promise<LeaverResult> {
  const { sessionsKilledAt, endedBy, slaBreached } = t;
  // Access was fully removed when the last disable or revoke was done.
  const accessRevokedAt = results.flatMap((r) => [r.disabled.at, r.entitlements.at]).sort().at(-1) ?? sessionsKilledAt;
  const late = elapsedMs(leaver, accessRevokedAt) > leaver.fullRevokeSlaMs;
  await bookkeeping.recordLeaverMilestones({
    plan: leaver,
    milestones: [
      { action: 'leaver.sessions_killed', occurredAt: sessionsKilledAt, detail: { systems: endedBy, sessionsKilledAt, slaBreached } },
      {
        action: 'leaver.completed',
        occurredAt: accessRevokedAt,
        detail: {
          systems: Object.fromEntries(results.map((r) => [r.system, { sessions: r.how, disabled: r.disabled.outcome, entitlements: r.entitlements.outcome }])),
          ...(hold ? { hold } : {}),
        },
      },
      ...(late ? [{ action: 'leaver.full_revoke_sla_breach' as const, detail: { slaMs: leaver.fullRevokeSlaMs } }] : []),
    ],
  });
  const notice = finishedNotice(leaver, results, { sessionsKilledAt, accessRevokedAt, slaBreached });
  // Tried in this workflow task first; when Slack is slow, a regular activity keeps trying for a while.
  notices.push(quietly(closingNotice.notifyLeaverFinished(notice).catch(() => securityChannel.notifyLeaverFinished(notice)), 'leaver finished'));
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
    systems: results.map(systemOf),
    ...(hold ? { hold: { holdId: hold.holdId, decision: 'release' as const } } : {}),
  };
}

export function systemOf(r: PipelineResult): LeaverSystem {
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
