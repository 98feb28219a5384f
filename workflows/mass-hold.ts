import { ApplicationFailure, allHandlersFinished, condition, getExternalWorkflowHandle, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { MassHoldActivities } from '../activities/mass-hold';
import type { PostedMessage } from '../src/slack/client';
import type { HoldMember } from '../src/leaver/hold-store';
import type { HoldWorkflowInput } from '../src/leaver/mass-termination';
import { decideHoldUpdate, holdDecidedSignal, holdStatusQuery, type HoldDecision, type HoldOutcome, type HoldRefusalReason } from '../src/temporal/messages';

export type MassHoldInput = HoldWorkflowInput;

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const decisions = proxyActivities<Pick<MassHoldActivities, 'decideHold'>>({ startToCloseTimeout: '30s', retry, summary: 'mass-termination hold: take the decision' });

// Slack messages are retried (honouring Retry-After) for a bounded time; a message that still fails never blocks the decision.
const channel = proxyActivities<Pick<MassHoldActivities, 'announceHold' | 'closeHoldMessages'>>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '15m',
  retry,
  summary: 'mass-termination hold: security channel',
});

function refuse(type: HoldRefusalReason, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * One mass-termination hold (hold-<source>-<n>): announced in the security channel, re-announced
 * and escalated while undecided, decided once (Slack button or `POST /api/leavers/hold/:id`), and
 * the decision handed to every held leaver. The members are read from Postgres when it is decided,
 * under the lock that lets leavers join, so none is missed and none joins after.
 */
export async function massHoldWorkflow(input: MassHoldInput): Promise<HoldOutcome> {
  const ref = { holdId: input.holdId, hrSource: input.hrSource };
  let decision: HoldDecision | undefined;
  let outcome: HoldOutcome | undefined;
  let members: HoldMember[] = [];
  let reminders = 0;
  let escalated = false;
  const messages: PostedMessage[] = [];

  setHandler(holdStatusQuery, () => ({ holdId: input.holdId, status: outcome?.status ?? 'open', reminders, escalated }));
  setHandler(
    decideHoldUpdate,
    async (d) => {
      decision = d;
      const decided = await decisions.decideHold({ ...ref, decision: d });
      members = decided.members;
      outcome = { holdId: input.holdId, status: decided.status, members: decided.members.length };
      return outcome;
    },
    {
      // Synchronous on purpose: a validator that throws rejects the update before it is recorded.
      validator: (d) => {
        if (decision) refuse('already_decided', `hold ${input.holdId} is already decided (${decision.decision}) by ${decision.decidedBy}`);
        if (d.decision !== 'release' && d.decision !== 'abort') refuse('invalid_decision', 'decision must be release or abort');
        const who = d.approver?.slackId ?? d.decidedBy;
        if (d.via === 'slack' && input.deciders.length > 0 && !input.deciders.includes(who)) refuse('not_a_decider', `${who} may not decide mass-termination holds`);
      },
    },
  );

  const announce = async (kind: 'request' | 'reminder' | 'escalation') => {
    const posted = await channel
      .announceHold({
        ...ref,
        kind,
        ...(kind === 'reminder' ? { count: reminders } : {}),
        ...(kind === 'escalation' ? { escalateTo: input.escalateTo } : {}),
        ...(kind !== 'request' && messages[0] ? { original: messages[0] } : {}),
      })
      .catch((err: unknown) => void log.warn('hold announcement not delivered', { holdId: input.holdId, kind, error: String(err) }));
    if (posted) messages.push(posted);
  };

  await announce('request');
  let elapsed = 0;
  let nextReminder = input.remindEveryMs > 0 ? input.remindEveryMs : Infinity;
  let escalation = input.escalateAfterMs > 0 ? input.escalateAfterMs : Infinity;
  while (!decision) {
    const next = Math.min(nextReminder, escalation);
    if (next === Infinity) {
      await condition(() => decision !== undefined);
      break;
    }
    if (await condition(() => decision !== undefined, Math.max(1, next - elapsed), { summary: next === escalation ? 'hold escalation' : 'hold reminder' })) break;
    elapsed = next;
    if (next === escalation) {
      escalation = Infinity;
      escalated = true;
      await announce('escalation');
    } else {
      nextReminder += input.remindEveryMs;
      reminders += 1;
      await announce('reminder');
    }
  }
  await condition(() => outcome !== undefined);
  const decided = decision as HoldDecision;
  await Promise.all(
    members.map((m) =>
      getExternalWorkflowHandle(m.workflowId)
        .signal(holdDecidedSignal, { holdId: input.holdId, ...decided })
        .catch((err: unknown) => log.warn('a held leaver had ended before the decision reached it', { holdId: input.holdId, workflowId: m.workflowId, error: String(err) })),
    ),
  );
  await channel.closeHoldMessages({ ...ref, messages, decision: decided }).catch((err: unknown) => log.warn('hold messages not updated', { holdId: input.holdId, error: String(err) }));
  await condition(allHandlersFinished);
  return outcome as HoldOutcome;
}
