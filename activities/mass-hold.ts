import type { HoldDecision } from '../src/temporal/messages';
import { holdDecidedMessage, holdReminderMessage, holdRequestMessage, type HoldMessageInput } from '../src/slack/messages';
import type { PostedMessage } from '../src/slack/client';
import type { HoldMember } from '../src/leaver/hold-store';
import type { ActivityDeps } from './deps';
import { slackStep } from './slack-step';
import { currentRun } from './step';
import { createSystemStepTools } from './system-step';

/** A hold as its workflow knows it. */
export interface HoldRef {
  holdId: string;
  hrSource: string;
}

const maxListed = 20;

/**
 * The mass-termination hold's steps: announce it in the security channel (and again as
 * reminders and an escalation), take the one decision, and show it on every message. A hold's
 * own evidence is kept under the hold ID (employee_id = the hold ID); each held leaver records
 * leaver.held and leaver.hold_released / leaver.hold_aborted itself.
 */
export function createMassHoldActivities(deps: ActivityDeps) {
  const { now } = createSystemStepTools(deps);

  function store() {
    if (!deps.holds) throw new Error('mass-termination holds need the hold store');
    return deps.holds;
  }

  async function messageInput(ref: HoldRef): Promise<HoldMessageInput> {
    const hold = await store().get(ref.holdId);
    if (!hold) throw new Error(`hold ${ref.holdId} is not recorded`);
    const members = await store().members(ref.holdId);
    return {
      holdId: hold.holdId,
      hrSource: hold.hrSource,
      members: members.length,
      threshold: hold.threshold,
      thresholdText: deps.leaver.massTermination?.thresholdText ?? String(hold.threshold),
      windowMs: hold.windowMs,
      openedAt: hold.openedAt,
      holdSessionKills: hold.holdSessionKills,
      employeeIds: members.slice(0, maxListed).map((m) => m.employeeId),
    };
  }

  async function record(ref: HoldRef, action: string, key: string, context: Record<string, unknown>, actor: { type: 'engine' | 'approver'; id: string } = { type: 'engine', id: 'jml-engine' }) {
    const run = currentRun();
    const at = now().toISOString();
    await deps.evidence.append({
      stepKey: `${run.workflowId}:${action}:${key}`,
      employeeId: ref.holdId,
      hrSource: ref.hrSource,
      actorType: actor.type,
      actorId: actor.id,
      action,
      occurredAt: at,
      where: 'slack',
      outcome: 'success',
      context: { workflowId: run.workflowId, runId: run.runId, holdId: ref.holdId, ...context },
    });
    return at;
  }

  async function post(content: { text: string; blocks: unknown[] }): Promise<PostedMessage | undefined> {
    const slack = deps.slack;
    const channel = deps.notifications?.securityChannel;
    if (!slack || !channel) {
      deps.log.warn({ notification: 'leaver.held', ...(channel ? { channel } : {}) }, content.text);
      return undefined;
    }
    return slackStep(() => slack.post(channel, content as Parameters<typeof slack.post>[1]));
  }

  return {
    /**
     * Posts the hold (a request, a reminder, or the escalation) to the security channel with its
     * Release all / Abort buttons, and records it; a reminder also brings the first message's
     * count of held leavers up to date. Without Slack the announcement goes to the log.
     */
    async announceHold(input: HoldRef & { kind: 'request' | 'reminder' | 'escalation'; count?: number; escalateTo?: string[]; original?: PostedMessage }): Promise<PostedMessage | undefined> {
      const message = await messageInput(input);
      // Leavers keep joining after the first message: it is brought up to date with every reminder.
      const slack = deps.slack;
      const original = input.original;
      if (slack && original && input.kind !== 'request') await slackStep(() => slack.update(original, holdRequestMessage(message)), ['message_not_found', 'cant_update_message', 'channel_not_found']);
      const at = now().toISOString();
      const content =
        input.kind === 'request'
          ? holdRequestMessage(message)
          : holdReminderMessage(message, { at, count: input.count ?? 1, ...(input.kind === 'escalation' ? { escalateTo: input.escalateTo ?? [] } : {}) });
      const posted = await post(content);
      if (posted && input.kind === 'request') await store().setMessage(input.holdId, posted);
      const action = input.kind === 'request' ? 'leaver.hold_opened' : input.kind === 'reminder' ? 'leaver.hold_reminded' : 'leaver.hold_escalated';
      await record(input, action, input.kind === 'reminder' ? String(input.count ?? 1) : 'once', {
        members: message.members,
        threshold: message.threshold,
        windowMs: message.windowMs,
        holdSessionKills: message.holdSessionKills,
        channel: deps.notifications?.securityChannel ?? null,
        ...(input.kind === 'escalation' ? { escalateTo: input.escalateTo ?? [] } : {}),
        ...(posted ? {} : { reason: 'Slack or sla.securityChannel is not configured: decide through POST /api/leavers/hold/:id' }),
      });
      return posted;
    },

    /** Takes the decision (once, under the HRIS's lock: no leaver joins afterwards) and records who took it. */
    async decideHold(input: HoldRef & { decision: HoldDecision }): Promise<{ status: 'released' | 'aborted'; members: HoldMember[] }> {
      const d = input.decision;
      const decided = await store().decide(input.holdId, { decision: d.decision, decidedBy: d.decidedBy, decidedAt: d.decidedAt, ...(d.reason ? { reason: d.reason } : {}) });
      if (!decided) throw new Error(`hold ${input.holdId} is not recorded`);
      const status = decided.hold.status === 'open' ? (d.decision === 'release' ? 'released' : 'aborted') : decided.hold.status;
      await record(
        input,
        'leaver.hold_decided',
        'once',
        {
          decision: status,
          decidedAt: decided.hold.decidedAt ?? d.decidedAt,
          via: d.via,
          members: decided.members.map((m) => m.employeeId),
          ...(d.approver ? { approver: d.approver } : {}),
          ...(d.reason ? { reason: d.reason } : {}),
        },
        { type: 'approver', id: decided.hold.decidedBy ?? d.decidedBy },
      );
      return { status, members: decided.members };
    },

    /** Shows the decision on every message the hold posted. */
    async closeHoldMessages(input: HoldRef & { messages: PostedMessage[]; decision: HoldDecision }): Promise<number> {
      const slack = deps.slack;
      if (!slack || input.messages.length === 0) return 0;
      const content = holdDecidedMessage(await messageInput(input), input.decision);
      for (const m of input.messages) await slackStep(() => slack.update(m, content), ['message_not_found', 'cant_update_message', 'channel_not_found']);
      return input.messages.length;
    },
  };
}

export type MassHoldActivities = ReturnType<typeof createMassHoldActivities>;
