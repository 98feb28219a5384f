import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { MoverActivities } from '../activities/mover';
import type { ReviewActivities } from '../activities/reviews';
import { decideReviewItemUpdate, type ReviewItemDecision, type ReviewItemOutcome } from '../src/temporal/messages';
import { onSystemQueue } from './system-queue';

export interface ReviewerInput {
  campaignId: string;
  reviewer: string;
  items: number;
  dueAt: string;
  /** When the snapshot finished (from its activity): the wait runs from here to dueAt. */
  from: string;
}

export interface ReviewerResult {
  reviewer: string;
  items: number;
  decided: number;
  revoked: number;
}

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const steps = proxyActivities<Pick<ReviewActivities, 'recordReviewDecision' | 'confirmReviewRevoke'>>({
  startToCloseTimeout: '1m',
  retry,
  summary: 'record a review decision / confirm a revoke',
});

function revokeOn(system: string) {
  return proxyActivities<Pick<MoverActivities, 'revokeEntitlement'>>({ ...onSystemQueue(system), startToCloseTimeout: '60s', retry, summary: 'revoke, as a reviewer decided' });
}

const maxReasonLength = 2000;

/**
 * One reviewer's part of a campaign: takes decisions on their items until the due date. A
 * decision is recorded first (the first one wins, in the store); a revoke then runs the same
 * revoke step as a mover or leaver (idempotent, evidence) on the system's queue, and is
 * recorded done only once a fresh read shows the entitlement gone.
 */
export async function reviewerWorkflow(input: ReviewerInput): Promise<ReviewerResult> {
  let open = true;
  let decided = 0;
  let revoked = 0;

  setHandler(
    decideReviewItemUpdate,
    async (d: ReviewItemDecision): Promise<ReviewItemOutcome> => {
      const { outcome, item } = await steps.recordReviewDecision({ campaignId: input.campaignId, ...d });
      if (outcome.result !== 'decided' || !item) return outcome;
      decided += 1;
      if (d.decision === 'keep') return outcome;
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
      return { ...outcome, revokeOutcome };
    },
    {
      validator: (d: ReviewItemDecision) => {
        if (!open) throw ApplicationFailure.create({ type: 'campaign_closed', message: `campaign ${input.campaignId} is closed`, nonRetryable: true });
        if (d.decision !== 'keep' && d.decision !== 'revoke') throw ApplicationFailure.create({ type: 'invalid_decision', message: 'decision must be keep or revoke', nonRetryable: true });
        if (typeof d.itemId !== 'string' || d.itemId === '' || typeof d.decidedBy !== 'string' || d.decidedBy === '') {
          throw ApplicationFailure.create({ type: 'invalid_decision', message: 'a decision needs an item and who decided', nonRetryable: true });
        }
        if (d.decision === 'revoke' && !d.reason?.trim()) throw ApplicationFailure.create({ type: 'reason_required', message: 'a revoke needs a reason', nonRetryable: true });
        if ((d.reason?.length ?? 0) > maxReasonLength) throw ApplicationFailure.create({ type: 'invalid_decision', message: `the reason is longer than ${maxReasonLength} characters`, nonRetryable: true });
      },
    },
  );

  const waitMs = Math.max(0, Date.parse(input.dueAt) - Date.parse(input.from));
  await condition(() => decided >= input.items, waitMs);
  open = false;
  await condition(allHandlersFinished);
  return { reviewer: input.reviewer, items: input.items, decided, revoked };
}
