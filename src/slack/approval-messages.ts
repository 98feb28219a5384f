import type { ActionsBlock, KnownBlock, ModalView } from '@slack/types';
import { approvalBlockId, approveActionId, reasonActionId, reasonBlockId, rejectActionId, rejectReasonCallbackId } from './ids';
import { actor, code, context, decisionButtons, esc, fallback, header, limits, listOf, oneLine, plain, plainTime, section, truncate, when } from './mrkdwn';

export interface ApprovalMessageInput {
  approvalId: string;
  worker: { employeeId: string; hrSource: string; name?: string; jobTitle?: string; department?: string; email?: string };
  system: string;
  /** e.g. "group:prod-admin" */
  entitlement: string;
  /** Labels of the policy rules that ask for approval, e.g. ["rules[1] (SRE)"]. */
  rules: string[];
  hrEvent: { eventId: string; kind: 'hire' | 'change' | 'terminate' | 'rehire' | 'rescind'; effectiveDate?: string };
  /** ISO UTC. */
  expiresAt: string;
  /** Why this person is asked: the worker's manager, or a fallback approver (no manager found, or escalation). */
  approverRole: 'manager' | 'fallback';
}

/** A message body for chat.postMessage / chat.update: `text` is the notification and fallback. */
export interface MessageContent {
  text: string;
  blocks: KnownBlock[];
}

export type RefusedClickReason = 'not_an_approver' | 'self_approval' | 'already_decided' | 'expired' | 'cancelled' | 'unknown_approval';

const eventKinds: Record<ApprovalMessageInput['hrEvent']['kind'], string> = {
  hire: 'Hire',
  change: 'Job change',
  terminate: 'Termination',
  rehire: 'Rehire',
  rescind: 'Rescission',
};

const maxRules = 10;

/** The worker as a name in mrkdwn, or their employee ID when HR sent no name. */
const workerName = (i: ApprovalMessageInput) =>
  i.worker.name && oneLine(i.worker.name) !== '' ? `*${esc(i.worker.name)}*` : `employee ${code(i.worker.employeeId)}`;

const workerPlain = (i: ApprovalMessageInput) =>
  i.worker.name && oneLine(i.worker.name) !== ''
    ? `${esc(i.worker.name)} (employee ${esc(i.worker.employeeId)}, ${esc(i.worker.hrSource)})`
    : `employee ${esc(i.worker.employeeId)} (${esc(i.worker.hrSource)})`;

const accessPlain = (i: ApprovalMessageInput) => `${esc(i.entitlement)} in ${esc(i.system, 100)}`;

function detailLines(i: ApprovalMessageInput): string[] {
  const w = i.worker;
  const role = [w.jobTitle, w.department].filter((v): v is string => !!v && oneLine(v) !== '').map((v) => esc(v));
  const email = w.email ? ` (${esc(w.email)})` : '';
  const rules = i.rules.length > 0 ? listOf(i.rules.map((r) => esc(r)), maxRules) : 'policy';
  const effective = i.hrEvent.effectiveDate ? `, effective ${when(i.hrEvent.effectiveDate)}` : '';
  return [
    `*Worker:* ${workerName(i)}${email}${role.length > 0 ? ` — ${role.join(', ')}` : ''}`,
    `*Employee ID:* ${code(w.employeeId)} (${esc(w.hrSource, 50)})`,
    `*Access:* ${code(i.entitlement)} in *${esc(i.system, 100)}*`,
    `*Asked for by:* ${rules}`,
    `*HR event:* ${eventKinds[i.hrEvent.kind]}${effective} (event ${code(i.hrEvent.eventId)})`,
    `*Expires:* ${when(i.expiresAt)}`,
  ];
}

const whyYou: Record<ApprovalMessageInput['approverRole'], string> = {
  manager: 'You are asked because you are this worker’s manager.',
  fallback: 'You are asked as a fallback approver: no manager could be asked for this worker, or the manager did not answer.',
};

function buttons(approvalId: string): ActionsBlock {
  return decisionButtons(approvalBlockId(approvalId), approvalId, { actionId: approveActionId, text: 'Approve' }, { actionId: rejectActionId, text: 'Reject' });
}

const askSentence = (i: ApprovalMessageInput) =>
  `${workerName(i)} needs ${code(i.entitlement)} in *${esc(i.system, 100)}*, and policy asks for an approval first.`;

const askText = (i: ApprovalMessageInput) =>
  `${workerPlain(i)} needs ${accessPlain(i)} (${eventKinds[i.hrEvent.kind].toLowerCase()}, event ${esc(i.hrEvent.eventId)}). ` +
  `Approve or reject by ${plainTime(i.expiresAt)}, or it expires and access is not granted.`;

function pending(title: string, intro: string, i: ApprovalMessageInput, text: string): MessageContent {
  return {
    text: fallback(text),
    blocks: [header(title), section(intro), section(detailLines(i).join('\n')), context(whyYou[i.approverRole]), buttons(i.approvalId)],
  };
}

function closed(title: string, outcome: string, i: ApprovalMessageInput, text: string): MessageContent {
  return { text: fallback(text), blocks: [header(title), section(outcome), section(detailLines(i).join('\n'))] };
}

export function approvalRequestMessage(input: ApprovalMessageInput): MessageContent {
  return pending('Access approval needed', askSentence(input), input, `Access approval needed: ${askText(input)}`);
}

export function approvalReminderMessage(input: ApprovalMessageInput, r: { remindedAt: string; count: number }): MessageContent {
  const nth = Number.isFinite(r.count) && r.count > 0 ? ` #${Math.floor(r.count)}` : '';
  return pending(
    'Reminder: access approval needed',
    `*Reminder${nth}* (${when(r.remindedAt)}): this request still waits for your answer.\n${askSentence(input)}`,
    input,
    `Reminder: access approval still needed. ${askText(input)}`,
  );
}

export function approvalEscalationMessage(
  input: ApprovalMessageInput,
  e: { escalatedAt: string; originalApprovers: string[] },
): MessageContent {
  const first = e.originalApprovers.length > 0 ? listOf(e.originalApprovers.map(actor), 10) : 'The first approver';
  const verb = e.originalApprovers.length > 1 ? 'were' : 'was';
  const asked = `${first} ${verb} asked first and did not answer, so this request was escalated to you at ${when(e.escalatedAt)}.`;
  const askedPlain = `${first} ${verb} asked first and did not answer.`;
  return pending(
    'Access approval needed (escalated)',
    `${asked}\n${askSentence(input)}`,
    input,
    `Escalated access approval: ${askedPlain} ${askText(input)}`,
  );
}

export function approvalDecidedMessage(
  input: ApprovalMessageInput,
  d: { decision: 'approved' | 'rejected'; decidedBy: string; decidedAt: string; reason?: string },
): MessageContent {
  const approved = d.decision === 'approved';
  const verb = approved ? 'Approved' : 'Rejected';
  const reason = d.reason && oneLine(d.reason) !== '' ? ` — reason: ${esc(d.reason, 500)}` : '';
  const line = `${approved ? '✅' : '❌'} ${verb} by ${actor(d.decidedBy)} at ${when(d.decidedAt)}${reason}`;
  const text =
    `Access ${d.decision}: ${workerPlain(input)}, ${accessPlain(input)}. ` +
    `${verb} by ${actor(d.decidedBy)} at ${plainTime(d.decidedAt)}${reason}.`;
  return closed(approved ? 'Access approved' : 'Access rejected', line, input, text);
}

export function approvalExpiredMessage(input: ApprovalMessageInput, e: { expiredAt: string }): MessageContent {
  return closed(
    'Access request expired',
    `⌛ Expired at ${when(e.expiredAt)} without an answer: access not granted.`,
    input,
    `Access request expired: ${workerPlain(input)}, ${accessPlain(input)}. Nobody answered by ${plainTime(e.expiredAt)}; access not granted.`,
  );
}

export function approvalCancelledMessage(input: ApprovalMessageInput, c: { at: string; reason: string }): MessageContent {
  const reason = oneLine(c.reason) !== '' ? `: ${esc(c.reason, 500)}` : '';
  return closed(
    'Access request cancelled',
    `🚫 Cancelled at ${when(c.at)}${reason}. No answer is needed; access will not be granted.`,
    input,
    `Access request cancelled: ${workerPlain(input)}, ${accessPlain(input)}${reason}. No answer is needed.`,
  );
}

/** A short plain-text summary of a request, for the reject modal. */
export function approvalSummary(input: ApprovalMessageInput): string {
  const w = input.worker;
  const who = w.name && oneLine(w.name) !== '' ? `${oneLine(w.name)} (employee ${w.employeeId}, ${w.hrSource})` : `Employee ${w.employeeId} (${w.hrSource})`;
  return truncate(`${who} needs ${oneLine(input.entitlement)} in ${oneLine(input.system)}.`, limits.sectionText);
}

/**
 * The modal asking why a request is rejected. `summary` is shown as plain text (no mrkdwn is
 * parsed, so it needs no escaping). `privateMetadata` comes back on submission unchanged; it is
 * refused rather than cut when longer than Slack allows.
 */
export function rejectReasonModal(input: { approvalId: string; privateMetadata: string; summary: string }): ModalView {
  if (input.privateMetadata.length > limits.privateMetadata) {
    throw new RangeError(`private_metadata is ${input.privateMetadata.length} characters; Slack allows ${limits.privateMetadata}`);
  }
  return {
    type: 'modal',
    callback_id: rejectReasonCallbackId,
    private_metadata: input.privateMetadata,
    title: plain('Reject access', limits.modalTitle),
    submit: plain('Reject', limits.modalTitle),
    close: plain('Cancel', limits.modalTitle),
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: truncate(input.summary, limits.sectionText), emoji: false } },
      context(`Approval ${code(input.approvalId)}`),
      {
        type: 'input',
        block_id: reasonBlockId,
        label: plain('Why are you rejecting this request?', limits.inputLabel),
        hint: plain('Recorded with the decision in the audit evidence.', limits.inputLabel),
        element: {
          type: 'plain_text_input',
          action_id: reasonActionId,
          multiline: true,
          min_length: 3,
          max_length: 500,
          placeholder: plain('e.g. Not needed for this role', limits.placeholder),
        },
      },
    ],
  };
}

/** The ephemeral answer to an approval click that was not applied. */
export function refusedClickText(reason: RefusedClickReason, detail?: { status?: string; decidedBy?: string }): string {
  switch (reason) {
    case 'not_an_approver':
      return 'You are not an approver of this request, so your click was not recorded.';
    case 'self_approval':
      return 'You cannot decide a request for your own access. Your click was not recorded; another approver has to answer.';
    case 'already_decided': {
      const status = detail?.status ? esc(detail.status, 50) : 'decided';
      const by = detail?.decidedBy ? ` by ${actor(detail.decidedBy)}` : '';
      return `This request was already ${status}${by}. Your click changed nothing.`;
    }
    case 'expired':
      return 'This request has expired, so access was not granted and it can no longer be decided. Ask IT to raise it again if it is still needed.';
    case 'cancelled':
      return 'This request was withdrawn (the worker has left, the hire was rescinded, or the new role no longer gives this access), so access was not granted. Your click changed nothing.';
    case 'unknown_approval':
      return 'This approval request is not known (it may have been cancelled). Nothing was recorded.';
  }
}
