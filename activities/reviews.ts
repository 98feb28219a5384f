import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Queryable } from '../src/db/database';
import { loadHrView, type HrView } from '../src/orphans/hr-view';
import { hrViewCache } from '../src/orphans/hr-view-cache';
import { isActiveAt, type TimingDefaults } from '../src/orphans/hr-status';
import type { ReviewScope, ReviewsConfig } from '../src/reviews/config';
import { campaignArgs, type CampaignArgs } from '../src/reviews/start';
import { quarterCampaignId, reviewerWorkflowId } from '../src/reviews/ids';
import { snapshotSystem, type ReviewWorker } from '../src/reviews/snapshot';
import type { ReviewStore } from '../src/reviews/store';
import type { ReviewItem, SystemSnapshot } from '../src/reviews/types';
import type { ReviewMessageStore } from '../src/reviews/message-store';
import { emailDigest, type ReviewWorkerRow, type ReviewWorkerStore } from '../src/reviews/worker-store';
import type { ReviewItemDecision, ReviewItemOutcome } from '../src/temporal/messages';
import type { ActivityDeps } from './deps';
import { currentRun } from './step';
import { campaignEvidence } from './review-evidence';
import { slackStep } from './slack-step';

export interface ReviewDeps {
  store: ReviewStore;
  workers: ReviewWorkerStore;
  messages: ReviewMessageStore;
  /** Slack user IDs who review workers HR names no manager for, and whom an unfinished review escalates to. */
  fallbackReviewers: string[];
  /** The reviews settings, as a scheduled campaign opens with them. */
  settings: ReviewsConfig;
  /** Where HR's view of the workers is read from (the inbox of HR events). */
  db: Queryable;
}

export interface ReviewerAssignment {
  reviewer: string;
  workflowId: string;
  items: number;
}

const HEARTBEAT_EVERY_MS = 10_000;
/** A campaign's HR view is shared by its systems' reads on this worker for this long. */
const VIEW_TTL_MS = 30 * 60_000;

/**
 * The steps of an access-review campaign. Campaign-level evidence is keyed by the campaign
 * (`campaign:<id>`, HR source `none`); an item's by its worker, system and entitlement.
 */
export function createReviewActivities(deps: ActivityDeps) {
  const now = () => deps.now?.() ?? new Date();
  const reviews = (): ReviewDeps => {
    if (!deps.reviews) throw ApplicationFailure.create({ type: 'not_configured', message: 'access reviews are not configured on this worker', nonRetryable: true });
    return deps.reviews;
  };
  const timing: TimingDefaults = { cutoffLocalTime: deps.leaver.cutoffLocalTime, defaultTimeZone: deps.leaver.defaultTimeZone };
  const views = hrViewCache(() => loadHrView(reviews().db, timing, 5000, { attributes: true }), VIEW_TTL_MS);
  const viewFor = (campaignId: string) => views.get(campaignId);
  const record = campaignEvidence(deps);

  /**
   * Accounts no active worker owns are orphans: the daily orphan reconciliation finds them and
   * `jml report orphans` lists them. The campaign counts the open ones per system into its
   * evidence and hands them to the security channel to decide.
   */
  async function tellSecurityOfOrphans(campaignId: string, systems: string[]): Promise<void> {
    const orphans = deps.orphans?.store;
    if (!orphans) return;
    const open = await Promise.all(systems.map(async (system) => ({ system, open: await orphans.countOpen(system) })));
    const total = open.reduce((n, o) => n + o.open, 0);
    const channel = deps.notifications?.securityChannel;
    const slack = deps.slack;
    let posted = false;
    if (total > 0 && channel && slack) {
      const text = `Access review ${campaignId}: ${total} account(s) that no active worker owns are open orphans (${open.filter((o) => o.open > 0).map((o) => `${o.system}: ${o.open}`).join(', ')}). They are not in any manager's review: decide them from \`jml report orphans\` (disable, or assign an owner in HR).`;
      posted = (await slackStep(() => slack.post(channel, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }), 'permanent')) !== undefined;
    }
    // Told only when Slack took the message: a channel it refused is a failure, never "handed over".
    const told = total === 0 || posted;
    await record(campaignId, 'review.orphans_handed_over', '', told ? 'success' : 'failure', { openOrphans: open, total, channel: channel ?? null, posted, ...(told ? {} : { reason: channel && slack ? 'Slack refused the message to the security channel' : 'no security channel or no Slack: nobody was told' }) });
  }

  return {
    /** A scheduled campaign's ID (the quarter it opens in, in reviews.timeZone) and settings. */
    async nameScheduledCampaign(input: { timeZone: string }): Promise<CampaignArgs> {
      return campaignArgs(quarterCampaignId(now(), input.timeZone), reviews().settings);
    },

    /** The time now, for a workflow that must count how long it has waited across runs. */
    async reviewClock(): Promise<string> {
      return now().toISOString();
    },

    /** Opens the campaign (idempotent by ID) and says which systems it reads. */
    async openReviewCampaign(input: { campaignId: string; scope: ReviewScope; dueAfterMs: number }): Promise<{ openedAt: string; dueAt: string; systems: string[] }> {
      const at = now();
      const campaign = await reviews().store.open(input.campaignId, input.scope, at, new Date(at.getTime() + input.dueAfterMs));
      const systems = [...deps.connectors.keys()].filter((id) => !input.scope.systems || input.scope.systems.includes(id)).sort();
      await record(input.campaignId, 'review.opened', '', 'success', { scope: input.scope, systems, dueAt: campaign.dueAt });
      return { openedAt: campaign.openedAt, dueAt: campaign.dueAt, systems };
    },

    /** Reads one system's access of every active worker in scope into review items. */
    async snapshotReviewSystem(input: { campaignId: string; system: string; scope: ReviewScope }): Promise<SystemSnapshot> {
      const connector = deps.connectors.get(input.system);
      if (!connector) throw ApplicationFailure.create({ type: 'not_configured', message: `system "${input.system}" is not configured`, nonRetryable: true });
      const workers = workersInScope(await viewFor(input.campaignId), input.scope, now().getTime());
      const context = Context.current();
      let last = 0;
      const snapshot = await snapshotSystem({
        campaignId: input.campaignId,
        connector,
        workers,
        scope: input.scope,
        policy: deps.policy,
        matchBy: deps.matchBy,
        store: reviews().store,
        progress: (done) => {
          if (Date.now() - last < HEARTBEAT_EVERY_MS) return;
          last = Date.now();
          context.heartbeat({ done, of: workers.length });
        },
      });
      await record(input.campaignId, 'review.system_read', input.system, 'success', { workers: workers.length, accounts: snapshot.accounts, items: snapshot.items, noAccount: snapshot.noAccount }, { system: input.system });
      return snapshot;
    },

    /** The snapshot is complete: the campaign opens for decisions; answers the reviewers and their workflows. */
    async finishReviewSnapshot(input: { campaignId: string; scope: ReviewScope; systems: SystemSnapshot[]; startedAt: string; budgetMs: number }): Promise<{ reviewers: ReviewerAssignment[]; finishedAt: string }> {
      const finishedAt = now().toISOString();
      const inScope = workersInScope(await viewFor(input.campaignId), input.scope, Date.parse(input.startedAt));
      const withinBudget = Date.parse(finishedAt) - Date.parse(input.startedAt) <= input.budgetMs;
      const workers = inScope.length;
      await reviews().workers.add(input.campaignId, inScope.map(workerRow));
      await reviews().store.snapshotTaken(input.campaignId, { workers, systems: input.systems, finishedAt, withinBudget });
      for (const s of input.systems.filter((x) => x.status === 'failed')) {
        await record(input.campaignId, 'review.system_read', s.system, 'failure', { reason: s.error ?? 'the read failed' }, { system: s.system });
      }
      const reviewers = await reviews().store.reviewers(input.campaignId);
      await record(input.campaignId, 'review.snapshot_taken', '', input.systems.some((s) => s.status === 'failed') ? 'failure' : 'success', {
        workers,
        items: reviewers.reduce((n, r) => n + r.items, 0),
        reviewers: reviewers.length,
        systems: input.systems.map((s) => ({ system: s.system, status: s.status, accounts: s.accounts, items: s.items })),
        startedAt: input.startedAt,
        finishedAt,
        budgetMs: input.budgetMs,
        withinBudget,
      });
      views.forget(input.campaignId);
      await tellSecurityOfOrphans(input.campaignId, input.systems.map((x) => x.system));
      return { reviewers: reviewers.map((r) => ({ ...r, workflowId: reviewerWorkflowId(input.campaignId, r.reviewer) })), finishedAt };
    },

    /** Every reviewer's workflow runs: the campaign takes decisions. */
    async openReviewDecisions(input: { campaignId: string; reviewers: number }): Promise<void> {
      await reviews().store.openForDecisions(input.campaignId);
      await record(input.campaignId, 'review.decisions_opened', '', 'success', { reviewers: input.reviewers });
    },

    /** Records a decision (the first one wins), with its evidence; answers the item as stored. */
    async recordReviewDecision(input: { campaignId: string } & ReviewItemDecision): Promise<{ outcome: ReviewItemOutcome; item?: ReviewItem }> {
      const store = reviews().store;
      const result = await store.decide(input.campaignId, input.itemId, {
        decision: input.decision,
        decidedBy: input.decidedBy,
        via: input.via,
        ...(input.reason ? { reason: input.reason } : {}),
        decidedAt: now().toISOString(),
      });
      if (result.kind === 'not_found') return { outcome: { itemId: input.itemId, result: 'not_found' } };
      const item = result.item;
      const run = currentRun();
      if (result.kind === 'decided') {
        await deps.evidence.append({
          stepKey: `review.item_decided:${input.campaignId}:${input.itemId}`,
          employeeId: item.employeeId,
          hrSource: item.hrSource,
          actorType: 'approver',
          actorId: input.decidedBy,
          action: 'review.item_decided',
          system: item.system,
          entitlement: item.entitlement,
          occurredAt: item.decidedAt!,
          outcome: 'success',
          context: {
            workflowId: run.workflowId,
            runId: run.runId,
            campaignId: input.campaignId,
            itemId: input.itemId,
            decision: input.decision,
            via: input.via,
            reviewer: item.reviewer,
            basis: item.basis,
            rules: item.rules,
            ...(input.reason ? { reason: input.reason } : {}),
          },
        });
      }
      return { outcome: { itemId: input.itemId, result: result.kind, status: item.status, ...(item.decidedBy ? { decidedBy: item.decidedBy } : {}), ...(item.revokeOutcome ? { revokeOutcome: item.revokeOutcome } : {}) }, item };
    },

    /**
     * After a revoke step: a fresh read of the account's entitlements must show it gone before the
     * item is recorded revoked; a policy grant revoked becomes an exception the next joiner or
     * mover run names instead of granting it again.
     */
    async confirmReviewRevoke(input: { campaignId: string; itemId: string; stepOutcome: string; at: string }): Promise<string> {
      const store = reviews().store;
      const item = await store.item(input.campaignId, input.itemId);
      if (!item) throw ApplicationFailure.create({ type: 'not_found', message: `review item ${input.itemId} is not in campaign ${input.campaignId}`, nonRetryable: true });
      const outcome = input.stepOutcome;
      if (outcome === 'success') {
        const connector = deps.connectors.get(item.system);
        if (!connector) throw ApplicationFailure.create({ type: 'not_configured', message: `system "${item.system}" is not configured`, nonRetryable: true });
        const held = await connector.listEntitlements(item.accountId);
        if (held.includes(item.entitlement)) throw ApplicationFailure.create({ type: 'still_held', message: `${item.system} still shows the entitlement after its revoke` });
      }
      await store.revokeDone(input.campaignId, input.itemId, outcome, input.at);
      if (item.basis === 'policy' && (outcome === 'success' || outcome === 'not_found')) await store.addException({ ...item, status: 'revoked' }, input.at);
      return outcome;
    },

    /** Closes the campaign: what nobody decided is recorded unreviewed. */
    async closeReviewCampaign(input: { campaignId: string }): Promise<{ unreviewed: number; items: number; decided: number }> {
      const store = reviews().store;
      const unreviewed = await store.close(input.campaignId, now());
      const completion = await store.completion(input.campaignId, 'reviewer');
      const items = completion.reduce((n, c) => n + c.items, 0);
      const decided = completion.reduce((n, c) => n + c.decided, 0);
      const notReviewed = completion.filter((c) => c.decided < c.items).map((c) => ({ reviewer: c.key, undecided: c.items - c.decided }));
      await record(input.campaignId, 'review.closed', '', 'success', { items, decided, unreviewed: items - decided, newlyUnreviewed: unreviewed, notReviewed });
      return { unreviewed: items - decided, items, decided };
    },
  };
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>;

/** The active workers a campaign covers: at work at `at`, in the scope's departments when it names any. */
export function workersInScope(view: HrView, scope: ReviewScope, at: number): ReviewWorker[] {
  const departments = scope.departments?.map((d) => d.toLowerCase());
  const workers: ReviewWorker[] = [];
  for (const w of view.all()) {
    if (!isActiveAt(w, at) || !w.attributes) continue;
    if (departments && !departments.includes((w.attributes.department ?? '').toLowerCase())) continue;
    workers.push({ hrSource: w.source, employeeId: w.employeeId, attributes: w.attributes });
  }
  return workers.sort((a, b) => (a.hrSource + a.employeeId).localeCompare(b.hrSource + b.employeeId));
}

function workerRow(w: ReviewWorker): ReviewWorkerRow {
  const a = w.attributes;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ');
  return {
    hrSource: w.hrSource,
    employeeId: w.employeeId,
    ...(name ? { name } : {}),
    ...(a.jobTitle ? { jobTitle: a.jobTitle } : {}),
    ...(a.department ? { department: a.department } : {}),
    ...(a.managerId ? { managerId: a.managerId } : {}),
    ...(a.workEmail ? { emailDigest: emailDigest(a.workEmail) } : {}),
  };
}
