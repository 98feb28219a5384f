import type { ActionsBlock } from '@slack/types';
import type { MessageContent } from './approval-messages';
import { abortHoldActionId, holdBlockId, releaseHoldActionId } from './ids';
import { actor, code, context, decisionButtons, esc, fallback, header, listOf, plain, section, when } from './mrkdwn';

/** A mass-termination hold as the security channel sees it (no names: employee IDs only). */
export interface HoldMessageInput {
  holdId: string;
  hrSource: string;
  /** Leavers in the hold now. */
  members: number;
  /** Terminations let through per window before the hold opened. */
  threshold: number;
  /** e.g. "25" or "5%" as configured. */
  thresholdText: string;
  windowMs: number;
  openedAt: string;
  holdSessionKills: boolean;
  /** Employee IDs of the first few held leavers. */
  employeeIds: string[];
}

const maxIds = 20;

function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

function facts(i: HoldMessageInput): string {
  const held = i.holdSessionKills ? 'Nothing has been done for them yet: session kills, disabling and revoking all wait.' : 'Their sessions were ended at once; disabling accounts and revoking access wait.';
  return [
    `*Hold:* ${code(i.holdId)} (${esc(i.hrSource, 50)})`,
    `*Held leavers:* ${i.members} — ${listOf(i.employeeIds.map((id) => code(id)), maxIds)}${i.members > i.employeeIds.length ? ', …' : ''}`,
    `*Threshold:* more than ${i.threshold} terminations (${esc(i.thresholdText, 20)}) within ${windowText(i.windowMs)}`,
    `*Held since:* ${when(i.openedAt)}`,
    held,
  ].join('\n');
}

function buttons(holdId: string): ActionsBlock {
  return decisionButtons(holdBlockId(holdId), holdId, { actionId: releaseHoldActionId, text: 'Release all' }, {
    actionId: abortHoldActionId,
    text: 'Abort',
    confirm: {
      title: plain('Abort these terminations?', 100),
      text: plain('Accounts stay enabled and access stays in place; the HR events are recorded as held and aborted.', 300),
      confirm: plain('Abort', 30),
      deny: plain('Cancel', 30),
    },
  });
}

const askText = (i: HoldMessageInput) =>
  `${i.members} terminations from ${i.hrSource} were held (hold ${i.holdId}): more than ${i.threshold} within ${windowText(i.windowMs)}. Release all or abort.`;

export function holdRequestMessage(i: HoldMessageInput): MessageContent {
  return {
    text: fallback(`Mass termination held: ${askText(i)}`),
    blocks: [
      header('Mass termination held'),
      section(`An unusual burst of terminations arrived from *${esc(i.hrSource, 50)}*. One decision releases or aborts all of them.`),
      section(facts(i)),
      context('*Release all*: every held leaver is disabled and its access revoked. *Abort*: accounts stay enabled. Or `POST /api/leavers/hold/:id` with an admin token.'),
      buttons(i.holdId),
    ],
  };
}

export function holdReminderMessage(i: HoldMessageInput, r: { at: string; count: number; escalateTo?: string[] }): MessageContent {
  const escalated = r.escalateTo !== undefined;
  const to = escalated && r.escalateTo!.length > 0 ? `${listOf(r.escalateTo!.map(actor), 10)}: ` : '';
  const intro = escalated
    ? `${to}*Escalated* (${when(r.at)}): this hold has waited for a decision since ${when(i.openedAt)}.`
    : `*Reminder #${Math.max(1, Math.floor(r.count))}* (${when(r.at)}): this hold still waits for a decision.`;
  return {
    text: fallback(`${escalated ? 'Escalated' : 'Reminder'}: mass termination still held. ${askText(i)}`),
    blocks: [header(escalated ? 'Escalated: mass termination held' : 'Reminder: mass termination held'), section(intro), section(facts(i)), buttons(i.holdId)],
  };
}

export function holdDecidedMessage(i: HoldMessageInput, d: { decision: 'release' | 'abort'; decidedBy: string; decidedAt: string; reason?: string }): MessageContent {
  const what = d.decision === 'release' ? 'Released: every held leaver is now disabled and its access revoked.' : 'Aborted: accounts stay enabled; the ended sessions were the only effect.';
  const reason = d.reason ? `\n*Reason:* ${esc(d.reason, 500)}` : '';
  return {
    text: fallback(`Mass termination ${d.decision === 'release' ? 'released' : 'aborted'} by ${d.decidedBy} (hold ${i.holdId}).`),
    blocks: [
      header(d.decision === 'release' ? 'Mass termination released' : 'Mass termination aborted'),
      section(`${what}\n*Decided by:* ${actor(d.decidedBy)} at ${when(d.decidedAt)}${reason}`),
      section(facts(i)),
    ],
  };
}

export type RefusedHoldReason = 'already_decided' | 'unknown_hold' | 'not_a_decider';

export function refusedHoldClickText(reason: RefusedHoldReason, detail: { status?: string; decidedBy?: string } = {}): string {
  switch (reason) {
    case 'already_decided':
      return `This hold is already ${detail.status ?? 'decided'}${detail.decidedBy ? ` by ${detail.decidedBy}` : ''}; your click changed nothing.`;
    case 'not_a_decider':
      return 'You are not one of the people who may decide mass-termination holds; nothing changed.';
    default:
      return 'This hold is not known to the engine; nothing changed.';
  }
}
