import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Queryable } from '../src/db/database';
import type { TimingDefaults } from '../src/orphans/hr-status';
import { hrViewCache } from '../src/orphans/hr-view-cache';
import { loadHrView } from '../src/orphans/hr-view';
import { reconcileSystem, type SystemOutcome } from '../src/orphans/reconcile';
import type { OrphanRecord, OrphanStore } from '../src/orphans/store';
import { orphansFoundMessage, type OrphansFoundInput } from '../src/slack/messages';
import type { ActivityDeps } from './deps';
import { currentRun } from './step';
import { slackStep } from './slack-step';

export interface OrphanDeps {
  store: OrphanStore;
  /** Where HR's view is read from (the inbox of HR events). */
  db: Queryable;
  /** A termination counts once in effect this long (sla.leaverFullRevoke: the leaver's own time to finish). */
  graceMs: number;
  batchSize?: number;
}

/** Attempts a system's listing gets within one run before it is recorded as failed for that run. */
export const LISTING_ATTEMPTS = 3;
/** A run's HR view is shared by its systems' listings on this worker for this long. */
const VIEW_TTL_MS = 15 * 60_000;
const maxNoticed = 50;
const HEARTBEAT_EVERY_MS = 20_000;

export type OrphanRunOutcome = Omit<SystemOutcome, 'retryable' | 'retryAfterMs'>;

export function createOrphanActivities(deps: ActivityDeps) {
  const now = () => deps.now?.() ?? new Date();
  const orphans = (): OrphanDeps => {
    if (!deps.orphans) throw ApplicationFailure.create({ type: 'not_configured', message: 'orphan reconciliation is not configured on this worker', nonRetryable: true });
    return deps.orphans;
  };
  const timing: TimingDefaults = { cutoffLocalTime: deps.leaver.cutoffLocalTime, defaultTimeZone: deps.leaver.defaultTimeZone };
  /** HR's view, loaded once per run and worker however many systems list at once. */
  const views = hrViewCache(() => loadHrView(orphans().db, timing), VIEW_TTL_MS);
  const hrViewFor = (runId: string) => views.get(runId);

  return {
    /** The systems that can list their accounts (the others cannot be reconciled). */
    async orphanSystems(): Promise<string[]> {
      return [...deps.connectors.values()].filter((c) => typeof c.listAccounts === 'function').map((c) => c.id);
    },

    /**
     * Lists one system's accounts and records its orphans. A listing that fails is tried again
     * (LISTING_ATTEMPTS in all) and then answered as failed for this run, never as "no orphans".
     */
    async reconcileOrphans(input: { runId: string; system: string }): Promise<OrphanRunOutcome> {
      const o = orphans();
      const connector = deps.connectors.get(input.system);
      if (!connector) throw ApplicationFailure.create({ type: 'unknown_system', message: `system ${input.system} is not configured on this worker`, nonRetryable: true });
      const context = Context.current();
      let listed = 0;
      // Pages come every few ms, but a system's pacer or a 429 may hold one for a minute: the
      // heartbeat goes on meanwhile (each request has its own timeout, the step its own deadline).
      const beat = setInterval(() => context.heartbeat({ accounts: listed }), HEARTBEAT_EVERY_MS);
      let result: SystemOutcome;
      try {
        const hr = await hrViewFor(input.runId);
        result = await reconcileSystem({
          runId: input.runId,
          connector,
          store: o.store,
          hr,
          ...(deps.matchBy?.[input.system] ? { matchBy: deps.matchBy[input.system] } : {}),
          at: now(),
          graceMs: o.graceMs,
          ...(o.batchSize ? { batchSize: o.batchSize } : {}),
          progress: (accounts) => {
            listed = accounts;
            context.heartbeat({ accounts });
          },
        });
      } finally {
        clearInterval(beat);
      }
      const { retryable, retryAfterMs, ...outcome } = result;
      const fields = { system: input.system, runId: input.runId, accounts: outcome.accounts, newOrphans: outcome.newOrphans, resolved: outcome.resolved };
      if (outcome.status === 'failed') {
        deps.log.warn({ ...fields, attempt: context.info.attempt }, outcome.error ?? 'listing failed');
        if (retryable && context.info.attempt < LISTING_ATTEMPTS) {
          throw ApplicationFailure.create({ type: 'listing_failed', message: outcome.error ?? 'listing failed', nonRetryable: false, nextRetryDelay: retryAfterMs });
        }
      } else {
        deps.log.info({ ...fields, orphans: outcome.orphans }, 'orphan reconciliation listed the system');
      }
      return outcome;
    },

    /**
     * Evidence of a run, once per step: orphan.detected for each orphan the run opened,
     * orphan.resolved for each it closed, orphans.reconciled per system (failure when its listing
     * failed). Answers the security channel's notice when there is news (new orphans, a failure).
     */
    async recordOrphanEvidence(input: { runId: string; outcomes: OrphanRunOutcome[] }): Promise<{ detected: number; resolved: number; notice?: OrphansFoundInput }> {
      const o = orphans();
      const context = Context.current();
      const run = currentRun();
      const at = now().toISOString();
      const where = (system: string) => deps.connectors.get(system)?.location;
      const base = { actorType: 'engine' as const, actorId: 'jml-engine', occurredAt: at };
      const record = (r: OrphanRecord, action: 'orphan.detected' | 'orphan.resolved') =>
        deps.evidence.append({
          ...base,
          stepKey: `${action}:${r.system}:${r.accountId}:${r.openedByRun}`,
          employeeId: r.employeeId ?? `account:${r.system}:${r.accountId}`,
          hrSource: r.hrSource ?? 'none',
          action,
          system: r.system,
          ...(where(r.system) ? { where: where(r.system) } : {}),
          outcome: 'success',
          context: {
            workflowId: run.workflowId,
            runId: run.runId,
            orphanRun: input.runId,
            accountId: r.accountId,
            hrStatus: r.hrStatus,
            reason: r.reason,
            orphanedSince: r.orphanedSince,
            firstSeenAt: r.firstSeenAt,
            ...(action === 'orphan.resolved' ? { resolution: r.resolution, resolvedAt: r.resolvedAt } : {}),
          },
        });
      const noticed: OrphansFoundInput['newOrphans'] = [];
      let detected = 0;
      for await (const page of o.store.ofRun(input.runId, 'opened')) {
        await Promise.all(page.map((r) => record(r, 'orphan.detected')));
        for (const r of page) if (noticed.length < maxNoticed) noticed.push(noticeOf(r));
        detected += page.length;
        context.heartbeat({ detected });
      }
      let resolved = 0;
      for await (const page of o.store.ofRun(input.runId, 'resolved')) {
        await Promise.all(page.map((r) => record(r, 'orphan.resolved')));
        resolved += page.length;
        context.heartbeat({ detected, resolved });
      }
      for (const outcome of input.outcomes) {
        await deps.evidence.append({
          ...base,
          stepKey: `orphans.reconciled:${input.runId}:${outcome.system}`,
          employeeId: `system:${outcome.system}`,
          hrSource: 'none',
          action: 'orphans.reconciled',
          system: outcome.system,
          ...(where(outcome.system) ? { where: where(outcome.system) } : {}),
          outcome: outcome.status === 'succeeded' ? 'success' : 'failure',
          context: {
            workflowId: run.workflowId,
            runId: run.runId,
            orphanRun: input.runId,
            accounts: outcome.accounts,
            orphans: outcome.orphans,
            newOrphans: outcome.newOrphans,
            resolved: outcome.resolved,
            ...(outcome.error ? { reason: outcome.error } : {}),
          },
        });
      }
      const failed = input.outcomes.some((x) => x.status === 'failed');
      if (detected === 0 && !failed) return { detected, resolved };
      const systems = input.outcomes.map((x) => ({ system: x.system, status: x.status, accounts: x.accounts, orphans: x.orphans, ...(x.error ? { error: x.error } : {}) }));
      return { detected, resolved, notice: { runId: input.runId, newOrphans: noticed, newCount: detected, systems } };
    },

    /** One message to `sla.securityChannel` (to the log without Slack): IDs only, the logins stay in the report. */
    async notifyOrphans(notice: OrphansFoundInput): Promise<boolean> {
      const content = orphansFoundMessage(notice);
      const slack = deps.slack;
      const channel = deps.notifications?.securityChannel;
      if (!slack || !channel) {
        deps.log.info({ notification: 'orphans.found', runId: notice.runId, newOrphans: notice.newCount }, content.text);
        return false;
      }
      await slackStep(() => slack.post(channel, content));
      return true;
    },
  };
}

function noticeOf(r: OrphanRecord): OrphansFoundInput['newOrphans'][number] {
  return {
    system: r.system,
    accountId: r.accountId,
    hrStatus: r.hrStatus,
    reason: r.reason,
    orphanedSince: r.orphanedSince,
    ...(r.hrSource ? { hrSource: r.hrSource } : {}),
    ...(r.employeeId ? { employeeId: r.employeeId } : {}),
  };
}

export type OrphanActivities = ReturnType<typeof createOrphanActivities>;
