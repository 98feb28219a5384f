import type { HrEvent } from '../src/hris/hr-event';
import { workerTimeZone, terminationTakesEffectAt } from '../src/leaver/timing';
import { endingSessions } from '../src/connectors/urgency';
import { keptAlive } from './keep-alive';
import { holdWorkflowInput, type HoldWorkflowInput } from '../src/leaver/mass-termination';
import type { ActivityDeps } from './deps';
import { laterLogins, systemLogins, withLogins, workEmailLogin, type SystemLogin } from '../src/identity/system-login';
import { recordSkipped } from './hr-events';
import { currentRun } from './step';
import { createSystemStepTools, type StepResult, type SystemStep } from './system-step';
import { ConnectorError } from '../src/connectors/errors';
import type { AccessNote } from '../src/connectors/types';

export type { StepResult, SystemStep } from './system-step';

/** One system's leaver steps: kill sessions first where it can, else disabling is what ends them. */
export interface LeaverPipeline {
  system: string;
  killsSessions: boolean;
}

export interface LeaverPlan {
  employeeId: string;
  source: HrEvent['source'];
  hrEventId: string;
  /** The account identity to look up in each system (work email); absent when HR gave none. */
  login?: string;
  /** Systems matched by an HR field rather than the work email, with their logins. */
  logins?: Record<string, SystemLogin>;
  systems: string[];
  /** Per system, in the order of `systems`; absent in plans made before systems ran their own pipelines. */
  pipelines?: LeaverPipeline[];
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
  /** Held by a mass-termination hold: disabling and revoking (and with holdSessionKills, the kills) wait for its decision. */
  hold?: LeaverHold;
}

export interface LeaverHold extends HoldWorkflowInput {
  /** This leaver's arrival opened the hold: it starts the hold's workflow. */
  opened: boolean;
  holdSessionKills: boolean;
}

/** A system's remaining leaver steps; `recheck` when a stopped joiner or mover ran beside the leaver. */
export interface RemoveAccessStep extends SystemStep {
  killsSessions: boolean;
  recheck?: boolean;
  /** The disable that already ended the sessions of a system without a session call. */
  disabled?: StepResult;
}

export function createLeaverActivities(deps: ActivityDeps) {
  const { now, record, onAccount, milestone, hrStarted } = createSystemStepTools(deps);

  function killSessions(step: SystemStep): Promise<StepResult> {
    return onAccount(step, 'sessions.kill', async (connector, accountId, entry) => {
      if (!connector.killSessions) return record(entry, 'skipped', 'system has no session kill; access ends when the account is disabled');
      return recordNoted(entry, await connector.killSessions(accountId));
    });
  }

  function disableAccount(step: SystemStep): Promise<StepResult> {
    return onAccount(step, 'account.disable', async (connector, accountId, entry) => recordNoted(entry, await connector.disableAccount(accountId)));
  }

  /** Success, with what the system says the step did (AccessNote) in the evidence. */
  function recordNoted(entry: Parameters<typeof record>[0], note: AccessNote | void): Promise<StepResult> {
    if (!note) return record(entry, 'success');
    return record({ ...entry, context: { ...entry.context, ...note.detail } }, 'success', note.note);
  }

  function revokeEntitlements(step: SystemStep): Promise<StepResult> {
    return onAccount(step, 'entitlements.revoke_all', async (connector, accountId, entry) => {
      const held = await connector.listEntitlements(accountId);
      // What the account held when this step first looked, stored before anything is revoked. An
      // attempt cut off between a revoke and its evidence (a worker killed, the database away)
      // leaves that entitlement gone and unrecorded; a later attempt no longer sees it held, and
      // records its revocation from here.
      const first = await deps.evidence.append({
        ...entry,
        action: 'entitlements.held',
        stepKey: `${entry.stepKey}:held`,
        outcome: 'success',
        occurredAt: now().toISOString(),
        context: { ...entry.context, entitlements: held },
      });
      const firstHeld = heldIn(first) ?? held;
      // Memberships the system decides itself (dynamic groups): recorded as not ours to remove,
      // never as removed; the disabled account is what ends their use.
      const kept = new Set<string>();
      // Where the system batches (Graph's $batch), every revocation goes at once; each answer is its own.
      const batched = connector.revokeEntitlements && held.length > 1 ? await connector.revokeEntitlements(accountId, held) : undefined;
      let failed: unknown;
      for (const [i, entitlement] of held.entries()) {
        const revoke = { ...entry, action: 'entitlement.revoke', entitlement, stepKey: `${entry.stepKey}:${entitlement}` };
        const error = batched ? batched[i] : await connector.revokeEntitlement(accountId, entitlement).then(() => undefined, (e: unknown) => e);
        if (error instanceof ConnectorError && error.code === 'not_removable') {
          kept.add(entitlement);
          await record(revoke, 'skipped', `not removable: ${error.message}`);
        } else if (error) {
          // The others' revocations still count: recorded, then this step fails and is retried.
          failed ??= error;
          if (!batched) break;
        } else {
          await record(revoke, 'success');
        }
      }
      if (failed) throw failed;
      for (const entitlement of firstHeld.filter((e) => !held.includes(e))) {
        const revoke = { ...entry, action: 'entitlement.revoke', entitlement, stepKey: `${entry.stepKey}:${entitlement}` };
        await record(revoke, 'success', 'held when the step began, gone on a later attempt\'s read');
      }
      // The read this attempt began with is fresh: when it found nothing held, nothing has been
      // revoked since and it is the read that shows the step done. Otherwise read again.
      const left = held.length === 0 ? [] : (await connector.listEntitlements(accountId)).filter((e) => !kept.has(e));
      if (left.length > 0) throw new Error(`still holds ${left.length} entitlement(s) after revoke; will re-check`);
      const revoked = [...new Set([...firstHeld, ...held])].filter((e) => !kept.has(e)).sort();
      const notRemovable = [...kept].sort();
      return record({ ...entry, context: { ...entry.context, revoked, ...(notRemovable.length ? { notRemovable } : {}) } }, 'success');
    });
  }

  /** When a termination takes effect, and the SLA clock and budget that follow from it, as of `at`. */
  function timingOf(event: HrEvent, at: Date) {
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
    return {
      zone,
      receivedAt: received.toISOString(),
      plan: {
        terminationEffectiveAt: effective.toISOString(),
        waitMs: Math.max(0, effective.getTime() - at.getTime()),
        sessionKillBudgetMs: Math.max(0, deps.leaver.sessionKillSlaMs - lateBy),
        clockStartAt: new Date(clockStart).toISOString(),
      },
    };
  }

  /**
   * Counts the leaver against leaver.massTermination in the same step that plans it (no extra
   * Temporal step for leavers that are let through); a leaver past the threshold, or arriving
   * while a hold is open, is held.
   */
  async function admitted(event: HrEvent, at: Date): Promise<LeaverHold | undefined> {
    const guard = deps.leaver.massTermination;
    if (!guard || !deps.holds) return undefined;
    const run = currentRun();
    const admission = await deps.holds.admit({ workflowId: run.workflowId, hrSource: event.source, employeeId: event.employeeId, hrEventId: event.eventId, at }, guard);
    if (!admission.holdId) return undefined;
    const record = admission.opened ? undefined : await deps.holds.get(admission.holdId);
    return {
      opened: admission.opened,
      holdSessionKills: record?.holdSessionKills ?? guard.holdSessionKills,
      ...holdWorkflowInput(admission.holdId, event.source, guard, deps.approvals.fallbackApprovers ?? []),
    };
  }

  return {
    async planLeaver(event: HrEvent): Promise<LeaverPlan> {
      const at = now();
      const timing = timingOf(event, at);
      const systems = [...deps.connectors.keys()];
      const plan: LeaverPlan = {
        employeeId: event.employeeId,
        source: event.source,
        hrEventId: event.eventId,
        login: workEmailLogin(event.worker),
        ...withLogins(event.worker, deps.matchBy),
        systems,
        pipelines: systems.map((system) => ({ system, killsSessions: typeof deps.connectors.get(system)?.killSessions === 'function' })),
        ...timing.plan,
        sessionKillSlaMs: deps.leaver.sessionKillSlaMs,
        fullRevokeSlaMs: deps.leaver.fullRevokeSlaMs,
      };
      const hold = await admitted(event, at);
      if (hold) plan.hold = hold;
      await hrStarted('leaver.started', event, at, !!plan.login, {
        terminationEffectiveAt: plan.terminationEffectiveAt,
        hrEventReceivedAt: timing.receivedAt,
        slaSeconds: deps.leaver.sessionKillSlaMs / 1000,
        fullRevokeSlaSeconds: deps.leaver.fullRevokeSlaMs / 1000,
        systems,
        timeZone: timing.zone,
        immediate: event.immediate,
        ...(plan.login ? {} : { reason: 'HR record has no work email to match accounts by' }),
      });
      return plan;
    },

    /**
     * A further termination while the leaver waits: one that takes effect earlier brings the
     * leaver forward (recorded as leaver.rescheduled, with the new clock inputs); any other is
     * recorded as skipped. Either way the plan comes back with the wait that is left.
     */
    async rescheduleLeaver(input: { plan: LeaverPlan; event: HrEvent }): Promise<{ plan: LeaverPlan; moved: boolean }> {
      const { plan, event } = input;
      const at = now();
      const timing = timingOf(event, at);
      const run = currentRun();
      const context = { workflowId: run.workflowId, runId: run.runId, hrEventId: event.eventId };
      if (Date.parse(timing.plan.terminationEffectiveAt) < Date.parse(plan.terminationEffectiveAt)) {
        const login = workEmailLogin(event.worker) ?? plan.login;
        const logins = laterLogins(plan.logins, systemLogins(event.worker, deps.matchBy));
        const moved: LeaverPlan = { ...plan, ...timing.plan, hrEventId: event.eventId, ...(login ? { login } : {}), ...(logins ? { logins } : {}) };
        await deps.evidence.append({
          stepKey: `${run.workflowId}:leaver.rescheduled:${event.eventId}`,
          employeeId: event.employeeId,
          hrSource: event.source,
          actorType: 'hr',
          actorId: event.source,
          action: 'leaver.rescheduled',
          occurredAt: at.toISOString(),
          where: event.sourceIp,
          outcome: 'success',
          context: {
            ...context,
            terminationEffectiveAt: moved.terminationEffectiveAt,
            hrEventReceivedAt: timing.receivedAt,
            previousTerminationEffectiveAt: plan.terminationEffectiveAt,
            previousHrEventId: plan.hrEventId,
            immediate: event.immediate,
            timeZone: timing.zone,
          },
        });
        return { plan: moved, moved: true };
      }
      await recordSkipped(deps, event, `a termination taking effect no later (${plan.terminationEffectiveAt}) is already scheduled`);
      const waitMs = Math.max(0, Date.parse(plan.terminationEffectiveAt) - at.getTime());
      const lateBy = Math.max(0, at.getTime() - Date.parse(plan.clockStartAt));
      return { plan: { ...plan, waitMs, sessionKillBudgetMs: Math.max(0, deps.leaver.sessionKillSlaMs - lateBy) }, moved: false };
    },

    // Requests that end sessions are served first by each system's pacer (src/connectors/urgency.ts).
    killSessions: keptAlive((step: SystemStep) => endingSessions(() => killSessions(step))),
    disableAccount: keptAlive((step: SystemStep) => endingSessions(() => disableAccount(step))),
    revokeEntitlements: keptAlive(revokeEntitlements),

    /**
     * A system's steps after its sessions have ended (for a system without a session call that
     * has not been disabled yet, its whole offboarding: the disable is how its sessions end):
     * disable, and when a stopped joiner or mover may have acted meanwhile (`recheck`) look the
     * account up afresh and kill its sessions again; then revoke every entitlement. Each step keeps
     * its own evidence and idempotency key.
     */
    removeAccess: keptAlive(async (step: RemoveAccessStep): Promise<{ disabled: StepResult; entitlements: StepResult }> => {
      const { disabled: done, recheck, killsSessions: kills, ...base } = step;
      const fresh = recheck ? { ...base, accountId: undefined } : base;
      let disabled: StepResult;
      // Without a session call of its own, the system's sessions end with this disable.
      if (!done) disabled = await (kills ? disableAccount(fresh) : endingSessions(() => disableAccount(fresh)));
      else disabled = recheck ? await disableAccount({ ...fresh, repeat: 'after-others-stopped' }) : done;
      const known = disabled.accountId ? { ...base, accountId: disabled.accountId } : fresh;
      if (recheck && kills && disabled.outcome === 'success') await killSessions({ ...known, repeat: 'after-others-stopped' });
      const entitlements = await revokeEntitlements(known);
      return { disabled, entitlements };
    }),

    async recordLeaverMilestone(input: { action: MilestoneAction; plan: LeaverPlan; detail?: Record<string, unknown> }): Promise<string> {
      return recordMilestone(input.action, input.plan, input.detail);
    },

    /**
     * Several milestones in one step (the leaver's closing bookkeeping), each at its own moment:
     * `occurredAt` when it happened earlier than now (sessions ended before the last revoke).
     */
    async recordLeaverMilestones(input: { plan: LeaverPlan; milestones: { action: MilestoneAction; detail?: Record<string, unknown>; occurredAt?: string }[] }): Promise<string[]> {
      const times: string[] = [];
      for (const m of input.milestones) times.push(await recordMilestone(m.action, input.plan, m.detail, m.occurredAt));
      return times;
    },
  };

  async function recordMilestone(action: MilestoneAction, plan: LeaverPlan, detail?: Record<string, unknown>, occurredAt?: string): Promise<string> {
    const breach = action.endsWith('sla_breach');
    if (breach) {
      // The alert: an error-level line the log pipeline pages on (Slack alerts use the same event).
      deps.log.error({ alert: 'sla_breach', action, employeeId: plan.employeeId, workflowId: currentRun().workflowId }, 'leaver SLA breached');
      deps.metrics?.slaBreach(action === 'leaver.sla_breach' ? 'sessions' : 'full_revoke');
    }
    if (action === 'leaver.sessions_killed' && occurredAt !== undefined) {
      deps.metrics?.sessionsEnded(Math.max(0, Date.parse(occurredAt) - Date.parse(plan.clockStartAt)) / 1000);
    }
    // An aborted hold is recorded as a deliberate non-action: the accounts stay enabled.
    return milestone(action, plan, breach ? 'sla_breach' : action === 'leaver.hold_aborted' ? 'skipped' : 'success', detail, occurredAt);
  }
}

export type MilestoneAction =
  | 'leaver.sessions_killed'
  | 'leaver.completed'
  | 'leaver.sla_breach'
  | 'leaver.full_revoke_sla_breach'
  | 'leaver.rescinded'
  | 'leaver.held'
  | 'leaver.hold_released'
  | 'leaver.hold_aborted';

export type LeaverActivities = ReturnType<typeof createLeaverActivities>;

/** The entitlements an `entitlements.held` evidence record lists (the one stored first for its step). */
function heldIn(stored: unknown): string[] | undefined {
  const list = (stored as { context?: { entitlements?: unknown } } | undefined)?.context?.entitlements;
  return Array.isArray(list) && list.every((e) => typeof e === 'string') ? list : undefined;
}
