import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { EvidenceInput } from '../evidence/types';
import type { Logger } from '../log';
import { sendReviewDecision } from '../reviews/decide';
import { emailDigest } from '../reviews/worker-store';
import type { ReviewStore } from '../reviews/store';
import type { ReviewItem } from '../reviews/types';
import type { SlackApi } from './client';
import { reviewRefusedText, type ReviewRefusal } from './review-messages';

export interface ReviewClickDeps {
  client: Client;
  reviews: Pick<ReviewStore, 'item' | 'campaign'>;
  slack: Pick<SlackApi, 'user' | 'ephemeral'>;
  evidence: { append(input: EvidenceInput): Promise<unknown> };
  log: Logger;
  now?: () => Date;
}

export interface ReviewClick {
  campaignId: string;
  itemId: string;
  userId: string;
  decision: 'keep' | 'revoke';
  reason?: string;
  channel?: string;
  /** Unique per click: keys the refusal evidence. */
  clickId: string;
}

const refusals: ReadonlySet<string> = new Set(['not_a_reviewer', 'self_review', 'campaign_closed']);

/**
 * A Keep or Revoke click on a review message, handed to the reviewer's workflow, which judges
 * who may decide. A click that is not applied is answered with an ephemeral explanation and
 * recorded (review.refused). Never throws: Slack has been acknowledged already.
 */
export function createReviewClicks(deps: ReviewClickDeps) {
  const now = () => deps.now?.() ?? new Date();

  async function tell(click: ReviewClick, text: string): Promise<void> {
    if (!click.channel) return;
    await deps.slack.ephemeral(click.channel, click.userId, text).catch((err: unknown) => deps.log.warn({ err, itemId: click.itemId }, 'could not answer the review click'));
  }

  async function refused(click: ReviewClick, item: ReviewItem | undefined, reason: ReviewRefusal, digest?: string): Promise<void> {
    await tell(click, reviewRefusedText(reason, item ? { status: item.status, ...(item.decidedBy ? { decidedBy: item.decidedBy } : {}) } : undefined));
    await deps.evidence
      .append({
        stepKey: `slack:review.refused:${click.campaignId}:${click.itemId}:${click.userId}:${click.clickId}`,
        employeeId: item?.employeeId ?? `campaign:${click.campaignId}`,
        hrSource: item?.hrSource ?? 'none',
        actorType: 'approver',
        actorId: click.userId,
        action: 'review.refused',
        ...(item ? { system: item.system, entitlement: item.entitlement } : {}),
        occurredAt: now().toISOString(),
        where: 'slack',
        outcome: 'failure',
        context: { campaignId: click.campaignId, itemId: click.itemId, attempted: click.decision, reason, reviewer: item?.reviewer, approver: { slackId: click.userId, ...(digest ? { emailDigest: digest } : {}) } },
      })
      .catch((err: unknown) => deps.log.error({ err, itemId: click.itemId }, 'could not record a refused review click'));
    deps.log.info({ campaignId: click.campaignId, itemId: click.itemId, user: click.userId, reason }, 'review click refused');
  }

  return {
    /** The item, when it still waits for a decision (the Revoke button checks before asking for a reason). */
    async stillPending(click: ReviewClick): Promise<boolean> {
      const item = await deps.reviews.item(click.campaignId, click.itemId);
      if (item?.status === 'pending') return true;
      if (!item) {
        await refused(click, undefined, 'unknown_item');
        return false;
      }
      await refused(click, item, item.status === 'unreviewed' ? 'campaign_closed' : 'already_decided');
      return false;
    },

    async handle(click: ReviewClick): Promise<void> {
      try {
        const item = await deps.reviews.item(click.campaignId, click.itemId);
        if (!item) return await refused(click, undefined, 'unknown_item');
        if (item.status !== 'pending') return await refused(click, item, item.status === 'unreviewed' ? 'campaign_closed' : 'already_decided');
        const profile = await deps.slack.user(click.userId).catch(() => undefined);
        const digest = profile?.email ? emailDigest(profile.email) : undefined;
        let outcome;
        try {
          outcome = await sendReviewDecision(
            deps.client,
            deps.reviews,
            click.campaignId,
            item.reviewer,
            {
              itemId: click.itemId,
              decision: click.decision,
              ...(click.reason ? { reason: click.reason } : {}),
              decidedBy: click.userId,
              via: 'slack',
              worker: `${item.hrSource}:${item.employeeId}`,
              approver: { slackId: click.userId, ...(digest ? { emailDigest: digest } : {}) },
            },
          );
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return await refused(click, item, 'campaign_closed', digest);
          const type = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
          if (type && refusals.has(type)) return await refused(click, item, type as ReviewRefusal, digest);
          throw err;
        }
        if (outcome.result === 'already_decided') return await refused(click, await deps.reviews.item(click.campaignId, click.itemId), 'already_decided', digest);
        deps.log.info({ campaignId: click.campaignId, itemId: click.itemId, user: click.userId, decision: click.decision }, 'review item decided in Slack');
      } catch (err) {
        deps.log.error({ err, itemId: click.itemId }, 'could not hand a review decision to its workflow');
        await tell(click, 'Your decision could not be recorded just now; nothing changed. Please try again in a minute.');
      }
    },
  };
}
