import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ReviewItemDecision, ReviewItemOutcome } from '../temporal/messages';
import { sendReviewDecision } from './decide';
import type { ReviewStore } from './store';
import type { ReviewItem } from './types';

/** What a decision asked for over HTTP (the API or the console) came to. */
export type ReviewDecisionResult =
  | { kind: 'not_found' }
  /** Not pending any more (an earlier decision stands, or the campaign closed it unreviewed). */
  | { kind: 'already_decided'; item: ReviewItem | undefined }
  /** The campaign takes no decisions: still reading access, or closed. */
  | { kind: 'not_open'; status: 'snapshotting' | 'closed'; message: string }
  /** The reviewer's workflow refused it before anything was done (the failure's type). */
  | { kind: 'refused'; reason: string; message: string }
  /** Handed to the workflow and answered; `item` is a fresh read of the store afterwards. */
  | { kind: 'decided'; outcome: ReviewItemOutcome; item: ReviewItem | undefined };

/**
 * Hands a decision on a review item to its reviewer's workflow, after checking the item and
 * its campaign in the store, and reads the store back: what happened is reported only as a
 * fresh read shows it. The API and the console answer from the result.
 */
export async function applyReviewDecision(client: Client, store: ReviewStore, campaignId: string, itemId: string, decision: Omit<ReviewItemDecision, 'itemId'>): Promise<ReviewDecisionResult> {
  const item = await store.item(campaignId, itemId);
  if (!item) return { kind: 'not_found' };
  const status = (await store.campaign(campaignId))?.status;
  if (status === 'snapshotting') return { kind: 'not_open', status, message: 'the campaign is still reading access: decisions open once every reviewer has been asked' };
  if (status === 'closed') return { kind: 'not_open', status, message: 'the campaign is closed' };
  if (item.status !== 'pending') return { kind: 'already_decided', item };
  let outcome: ReviewItemOutcome;
  try {
    outcome = await sendReviewDecision(client, store, campaignId, item.reviewer, { ...decision, itemId });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'not_open', status: 'closed', message: 'the campaign no longer takes decisions' };
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = (err.cause instanceof ApplicationFailure ? err.cause.type : undefined) ?? 'refused';
      return { kind: 'refused', reason, message: err.cause?.message ?? err.message };
    }
    throw err;
  }
  const after = await store.item(campaignId, itemId);
  if (outcome.result === 'already_decided') return { kind: 'already_decided', item: after };
  return { kind: 'decided', outcome, item: after };
}
