import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { MoverActivities } from '../activities/mover';
import type { ReviewerAsked, ReviewSlackActivities } from '../activities/review-slack';
import type { ReviewActivities } from '../activities/reviews';
import { decideReviewItemUpdate, maxReviewReasonLength, type ReviewItemDecision, type ReviewItemOutcome } from '../src/temporal/messages';
import { onSystemQueue } from './system-queue';

export interface ReviewerInput {
  campaignId: string;
  reviewer: string;
  items: number;
  dueAt: string;
  /** When the snapshot finished (from its activity): the wait runs from here to dueAt. */
  from: string;
  remindEveryMs: number;
  escalateAfterMs: number;
  /** When the reviewer's wait began (the first run's `from`); `from` is this run's start. */
  startedAt?: string;
  /** Events in a run before it continues as new (default 10,000; the server may suggest it sooner). */
  historyLimit?: number;
  /** What a previous run of this reviewer carried over when it continued as new. */
  carried?: { decided: number; revoked: number; reminders: number; escalated: boolean; who: ReviewerAsked; allowed: string[]; runs: number };
}

export interface ReviewerResult {
  reviewer: string;
  items: number;
  decided: number;
  revoked: number;
  reminders: number;
  escalated: boolean;
  /** Runs of this reviewer's workflow (it continues as new when its history grows long). */
  runs: number;
}

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const steps = proxyActivities<Pick<ReviewActivities, 'recordReviewDecision' | 'confirmReviewRevoke' | 'reviewClock'>>({
  startToCloseTimeout: '1m',
  retry,
  summary: 'record a review decision / confirm a revoke',
});

const slack = proxyActivities<ReviewSlackActivities>({
  startToCloseTimeout: '10m',
  retry: { ...retry, maximumAttempts: 10 },
  summary: 'ask, remind or escalate in Slack / update the messages',
});

function revokeOn(system: string) {
  return proxyActivities<Pick<MoverActivities, 'revokeEntitlement'>>({ ...onSystemQueue(system), startToCloseTimeout: '60s', retry, summary: 'revoke, as a reviewer decided' });
}

const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * One reviewer's part of a campaign. They are asked in Slack (the manager, else the fallback
 * reviewers), reminded every `remindEveryMs` while items wait, and after `escalateAfterMs` the
 * fallback reviewers are asked too; decisions are taken until the due date. A decision is
 * recorded first (the first one wins, in the store); a revoke then runs the same revoke step as
 * a mover or leaver (idempotent, evidence) on the system's queue, and is recorded done only once
 * a fresh read shows the entitlement gone. Every copy of the worker's messages then shows it.
 */
export async function reviewerWorkflow(input: ReviewerInput): Promise<ReviewerResult> {
  const carried = input.carried;
  let open = true;
  let continuing = false;
  let decided = carried?.decided ?? 0;
  let revoked = carried?.revoked ?? 0;
  let reminders = carried?.reminders ?? 0;
  let escalated = carried?.escalated ?? false;
  // Set once the reviewer has been asked; decisions through the API may come before (the handler is there from the start).
  let who: ReviewerAsked | undefined = carried?.who;
  const allowed = new Set<string>(carried?.allowed ?? []);

  const refresh = (worker: { hrSource: string; employeeId: string }) =>
    slack.refreshReviewMessages({ campaignId: input.campaignId, ...worker, dueAt: input.dueAt }).catch(() => 0);

  setHandler(
    decideReviewItemUpdate,
    async (d: ReviewItemDecision): Promise<ReviewItemOutcome> => {
      const { outcome, item } = await steps.recordReviewDecision({ campaignId: input.campaignId, ...d });
      if (outcome.result !== 'decided' || !item) return outcome;
      decided += 1;
      if (d.decision === 'keep') {
        await refresh(item);
        return outcome;
      }
      await refresh(item);
      const step = await revokeOn(item.system).revokeEntitlement({
        system: item.system,
        accountId: item.accountId,
        employeeId: item.employeeId,
        source: item.hrSource as 'bamboohr' | 'workday',
        hrEventId: `review:${input.campaignId}`,
        repeat: item.itemId,
        entitlement: item.entitlement,
        previousRules: item.rules,
        reason: `revoked in access review ${input.campaignId} by ${d.decidedBy}: ${d.reason ?? ''}`.trim(),
        detail: { campaignId: input.campaignId, itemId: item.itemId, basis: item.basis },
      });
      const revokeOutcome = await steps.confirmReviewRevoke({ campaignId: input.campaignId, itemId: item.itemId, stepOutcome: step.outcome, at: step.at });
      if (revokeOutcome === 'success' || revokeOutcome === 'not_found') revoked += 1;
      await refresh(item);
      return { ...outcome, revokeOutcome };
    },
    {
      validator: (d: ReviewItemDecision) => {
        if (!open) throw refuse('campaign_closed', `campaign ${input.campaignId} is closed`);
        // The run is handing over to its next one: the sender tries again there (src/reviews/decide.ts).
        if (continuing) throw refuse('continuing_as_new', 'this reviewer is moving to a new run: send the decision again');
        if (d.decision !== 'keep' && d.decision !== 'revoke') throw refuse('invalid_decision', 'decision must be keep or revoke');
        if (typeof d.itemId !== 'string' || d.itemId === '' || typeof d.decidedBy !== 'string' || d.decidedBy === '') throw refuse('invalid_decision', 'a decision needs an item and who decided');
        if (d.decision === 'revoke' && !d.reason?.trim()) throw refuse('reason_required', 'a revoke needs a reason');
        if ((d.reason?.length ?? 0) > maxReviewReasonLength) throw refuse('invalid_decision', `the reason is longer than ${maxReviewReasonLength} characters`);
        if (d.via !== 'slack') return;
        if (!allowed.has(d.decidedBy)) throw refuse('not_a_reviewer', 'only the reviewer asked (or a fallback reviewer after escalation) may decide');
        const own = d.worker ? who?.workerDigests[d.worker] : undefined;
        if (own && d.approver?.emailDigest === own) throw refuse('self_review', 'nobody reviews their own access');
      },
    },
  );

  if (!who) {
    who = await slack.askReviewer({ campaignId: input.campaignId, reviewer: input.reviewer, dueAt: input.dueAt });
    for (const id of who.asked) allowed.add(id);
  }
  const fallback = who.fallback;
  const startedAt = input.startedAt ?? input.from;
  // Time already spent waiting (earlier runs), and what is left of it, from activity-given times.
  const elapsedMs = Math.max(0, Date.parse(input.from) - Date.parse(startedAt));
  const waitMs = Math.max(0, Date.parse(input.dueAt) - Date.parse(input.from));
  const waiting = () => open && decided < input.items;
  // Reminders and the escalation run beside the wait; their failure never ends the review.
  void (async () => {
    const first = input.remindEveryMs - (elapsedMs % input.remindEveryMs);
    for (let at = first; at < waitMs; at += input.remindEveryMs) {
      await sleep(at === first ? first : input.remindEveryMs);
      if (!waiting()) return;
      reminders += 1;
      await slack.remindReviewer({ campaignId: input.campaignId, reviewer: input.reviewer, asked: [...allowed], dueAt: input.dueAt, count: reminders }).catch(() => 0);
    }
  })();
  void (async () => {
    const left = input.escalateAfterMs - elapsedMs;
    if (escalated || fallback.length === 0 || left >= waitMs) return;
    if (left > 0) await sleep(left);
    if (!waiting()) return;
    const to = await slack.escalateReview({ campaignId: input.campaignId, reviewer: input.reviewer, fallback, dueAt: input.dueAt }).catch(() => [] as string[]);
    for (const id of to) allowed.add(id);
    escalated = to.length > 0;
  })();

  // A reviewer with thousands of items (fallback reviewers of many workers) continues as new
  // before its history grows long, carrying what it has counted and whom it may hear from.
  const limit = input.historyLimit ?? 10_000;
  const tooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit;
  const finished = await condition(() => decided >= input.items || tooLong(), waitMs);
  if (finished && decided < input.items && tooLong()) {
    continuing = true;
    await condition(allHandlersFinished);
    const from = await steps.reviewClock();
    return continueAsNew<typeof reviewerWorkflow>({
      ...input,
      from,
      startedAt,
      carried: { decided, revoked, reminders, escalated, who, allowed: [...allowed], runs: (carried?.runs ?? 1) + 1 },
    });
  }
  open = false;
  await condition(allHandlersFinished);
  return { reviewer: input.reviewer, items: input.items, decided, revoked, reminders, escalated, runs: carried?.runs ?? 1 };
}
