import type { ActionsBlock, KnownBlock, ModalView } from '@slack/types';
import type { ReviewWorkerView } from '../reviews/message-store';
import type { ReviewItem } from '../reviews/types';
import type { MessageContent } from './approval-messages';
import {
  reasonActionId,
  reasonBlockId,
  reviewButtonValue,
  reviewItemBlockId,
  reviewKeepActionId,
  reviewKeepAllActionId,
  reviewRevokeActionId,
  reviewRevokeReasonCallbackId,
} from './ids';
import { actor, code, context, esc, fallback, header, limits, oneLine, plain, section, truncate, when } from './mrkdwn';

/** Items per message: each takes two blocks (its line and its buttons) of Slack's fifty. */
export const reviewItemsPerMessage = 20;

export interface ReviewMessageInput {
  campaignId: string;
  dueAt: string;
  worker: ReviewWorkerView & { employeeId: string; hrSource: string };
  items: ReviewItem[];
  page: number;
  pages: number;
  /** Why this person is asked: the worker's manager, or a fallback reviewer (no manager found, or escalation). */
  role: 'manager' | 'fallback' | 'escalated';
}

const whyYou: Record<ReviewMessageInput['role'], string> = {
  manager: 'You are asked because you are this worker’s manager in HR.',
  fallback: 'You are asked as a fallback reviewer: HR names no manager for this worker, or the manager is not in Slack.',
  escalated: 'You are asked as a fallback reviewer: the manager did not finish this review in time.',
};

const workerName = (w: ReviewMessageInput['worker']) => (w.name && oneLine(w.name) !== '' ? `*${esc(w.name)}*` : `employee ${code(w.employeeId)}`);

function roleOf(w: ReviewWorkerView): string {
  const parts = [w.jobTitle, w.department].filter((v): v is string => !!v && oneLine(v) !== '').map((v) => esc(v));
  return parts.length > 0 ? ` — ${parts.join(', ')}` : '';
}

function basisText(item: ReviewItem): string {
  return item.basis === 'policy' ? `given by policy (${esc(item.rules.join(', ') || 'birthright', 200)})` : '*granted by hand* (no policy rule gives it)';
}

function decidedText(item: ReviewItem): string {
  if (item.status === 'kept') return `✅ Kept by ${actor(item.decidedBy ?? '')} at ${when(item.decidedAt ?? '')}`;
  if (item.status === 'revoked') {
    const done = item.revokeOutcome === 'success' ? ', removed' : item.revokeOutcome === 'not_found' ? ', the account is gone' : item.revokeOutcome ? `, removal ${esc(item.revokeOutcome, 50)}` : ', being removed';
    const reason = item.reason && oneLine(item.reason) !== '' ? ` — ${esc(item.reason, 300)}` : '';
    return `❌ Revoked by ${actor(item.decidedBy ?? '')} at ${when(item.decidedAt ?? '')}${done}${reason}`;
  }
  return item.status === 'unreviewed' ? '⚪ Not reviewed before the campaign closed' : '';
}

function itemButtons(campaignId: string, item: ReviewItem): ActionsBlock {
  const value = truncate(reviewButtonValue(campaignId, [item.itemId]), limits.buttonValue);
  return {
    type: 'actions',
    block_id: reviewItemBlockId(item.itemId),
    elements: [
      { type: 'button', action_id: reviewKeepActionId, value, style: 'primary', text: plain('Keep', limits.buttonText) },
      { type: 'button', action_id: reviewRevokeActionId, value, style: 'danger', text: plain(item.basis === 'policy' ? 'Revoke (policy gives it)' : 'Revoke', limits.buttonText) },
    ],
  };
}

/** One page of one worker's access for their reviewer: each entitlement with Keep / Revoke, or who decided it. */
export function reviewMessage(input: ReviewMessageInput): MessageContent {
  const pending = input.items.filter((i) => i.status === 'pending');
  const pageNote = input.pages > 1 ? ` (page ${input.page} of ${input.pages})` : '';
  const blocks: KnownBlock[] = [
    header(`Access review${pageNote}`),
    section(`Please review the access of ${workerName(input.worker)}${roleOf(input.worker)}. Keep what they still need; revoke the rest (it is removed at once). Due ${when(input.dueAt)}.`),
    context(`Campaign ${code(input.campaignId)} · employee ${code(input.worker.employeeId)} (${esc(input.worker.hrSource, 50)}) · ${whyYou[input.role]}`),
  ];
  for (const item of input.items) {
    blocks.push(section(`*${esc(item.system, 100)}* · ${code(item.entitlement)} — ${basisText(item)}${item.status === 'pending' ? '' : `\n${decidedText(item)}`}`));
    if (item.status === 'pending') blocks.push(itemButtons(input.campaignId, item));
  }
  if (pending.length > 1) {
    blocks.push({
      type: 'actions',
      block_id: `jml_review_all:${input.worker.hrSource}:${input.worker.employeeId}:${input.page}`.slice(0, limits.blockId),
      elements: [{ type: 'button', action_id: reviewKeepAllActionId, value: truncate(reviewButtonValue(input.campaignId, pending.map((i) => i.itemId)), limits.buttonValue), text: plain(`Keep all ${pending.length} on this page`, limits.buttonText) }],
    });
  }
  const who = input.worker.name && oneLine(input.worker.name) !== '' ? esc(input.worker.name) : `employee ${esc(input.worker.employeeId)}`;
  const left = pending.length === 0 ? 'every item on this page is decided' : `${pending.length} item(s) to decide`;
  return { text: fallback(`Access review ${esc(input.campaignId)}: ${who}${pageNote}, ${left}. Due ${when(input.dueAt)}.`), blocks: blocks.slice(0, limits.messageBlocks) };
}

/** The reminder to a reviewer with items still to decide. */
export function reviewReminderMessage(r: { campaignId: string; dueAt: string; pending: number; count: number }): MessageContent {
  const text = `Reminder #${r.count}: ${r.pending} item(s) of access review ${esc(r.campaignId)} still wait for your decision. Due ${when(r.dueAt)}; what is not decided by then is reported as not reviewed.`;
  return { text: fallback(text), blocks: [section(`*${text}*`), context('The messages above each show one worker: Keep or Revoke each entitlement there.')] };
}

/** The modal asking why access is revoked. */
export function reviewRevokeModal(input: { privateMetadata: string; summary: string }): ModalView {
  if (input.privateMetadata.length > limits.privateMetadata) throw new RangeError(`private_metadata is ${input.privateMetadata.length} characters; Slack allows ${limits.privateMetadata}`);
  return {
    type: 'modal',
    callback_id: reviewRevokeReasonCallbackId,
    private_metadata: input.privateMetadata,
    title: plain('Revoke access', limits.modalTitle),
    submit: plain('Revoke', limits.modalTitle),
    close: plain('Cancel', limits.modalTitle),
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: truncate(input.summary, limits.sectionText), emoji: false } },
      {
        type: 'input',
        block_id: reasonBlockId,
        label: plain('Why should this access go?', limits.inputLabel),
        hint: plain('Recorded with the decision in the audit evidence. The access is removed at once.', limits.inputLabel),
        element: { type: 'plain_text_input', action_id: reasonActionId, multiline: true, min_length: 3, max_length: 500 },
      },
    ],
  };
}

export type ReviewRefusal = 'not_a_reviewer' | 'self_review' | 'campaign_closed' | 'already_decided' | 'unknown_item';

/** The ephemeral answer to a review click that was not applied. */
export function reviewRefusedText(reason: ReviewRefusal, detail?: { status?: string; decidedBy?: string }): string {
  switch (reason) {
    case 'not_a_reviewer':
      return 'You are not the reviewer of this access, so your click was not recorded.';
    case 'self_review':
      return 'You cannot review your own access. Your click was not recorded; another reviewer has to decide.';
    case 'campaign_closed':
      return 'This access review has closed; what was not decided is reported as not reviewed. Your click changed nothing.';
    case 'already_decided':
      return `This was already ${esc(detail?.status ?? 'decided', 50)}${detail?.decidedBy ? ` by ${actor(detail.decidedBy)}` : ''}. Your click changed nothing.`;
    case 'unknown_item':
      return 'This review item is not known. Nothing was recorded.';
  }
}
