import { CancellationScope, isCancellation, log, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { ApprovalActivities, ApprovalAsk, ApprovalStep, ApproverMessage } from '../activities/approvals';
import type { JoinerActivities } from '../activities/joiner';
import type { StepResult } from '../activities/system-step';
import type { SlackUser } from '../src/slack/client';
import { shortEventId, type HrSource } from '../src/hris/hr-event';
import type { ApprovalBook } from './approvals';
import type { ApprovalCancelReason } from '../src/temporal/messages';
import type { AccessGate } from './access-gate';

/** When the workflow withdraws an approval: `cancelled()` names the reason once it should stop waiting. */
export interface ApprovalStop {
  cancelled: () => ApprovalCancelReason | undefined;
  /** Where the workflow's access steps pass (the grant on approve is one). */
  gate?: AccessGate;
}

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

function approvalActivities(summary: string) {
  return proxyActivities<Pick<ApprovalActivities, 'requestApproval' | 'recordApprovalOutcome'> & Pick<JoinerActivities, 'grantEntitlement'>>({
    startToCloseTimeout: '60s',
    retry,
    summary,
  });
}

// Slack messages are retried (honouring Retry-After) for a bounded time, and never hold up access.
const slack = proxyActivities<Pick<ApprovalActivities, 'messageApprover' | 'closeApprovalMessages'>>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '15m',
  retry,
  summary: 'Slack: approval message',
});

/** Readable, URL-safe and stable for the HR event, system and grant. */
export function approvalIdFor(plan: { source: HrSource; employeeId: string; hrEventId: string }, system: string, index: number): string {
  return `apr-${plan.source}-${plan.employeeId}-${shortEventId(plan.hrEventId)}-${system}-${index}`;
}

async function message(
  request: ApprovalStep,
  ask: ApprovalAsk,
  to: SlackUser[],
  kind: 'request' | 'reminder' | 'escalation',
  extra: { role: ApprovalAsk['approverRole']; count?: number; originalApprovers?: string[] },
): Promise<ApproverMessage[]> {
  const sent = await Promise.all(
    to.map((user) =>
      slack.messageApprover({ step: request, kind, to: user, expiresAt: ask.expiresAt, ...extra }).catch((err: unknown) => {
        log.warn('approval message not delivered', { approvalId: request.approvalId, to: user.id, kind, error: String(err) });
        return undefined;
      }),
    ),
  );
  return sent.filter((m): m is ApproverMessage => m !== undefined);
}

/**
 * Reminders every `remindEveryMs` to whoever is asked, and once, after `escalateAfterMs`, the
 * request goes to the fallback approvers too (who may then decide). Runs until cancelled.
 */
async function nudge(book: ApprovalBook, request: ApprovalStep, ask: ApprovalAsk, messages: ApproverMessage[]): Promise<void> {
  const moments: { at: number; kind: 'reminder' | 'escalation' }[] = [];
  if (ask.remindEveryMs > 0) for (let at = ask.remindEveryMs; at < ask.timeoutMs; at += ask.remindEveryMs) moments.push({ at, kind: 'reminder' });
  if (ask.escalateAfterMs > 0 && ask.escalateAfterMs < ask.timeoutMs && ask.escalateTo.length > 0) moments.push({ at: ask.escalateAfterMs, kind: 'escalation' });
  moments.sort((a, b) => a.at - b.at || (a.kind === 'escalation' ? -1 : 1));
  let asked = [...ask.approvers];
  let elapsed = 0;
  let reminders = 0;
  for (const moment of moments) {
    await sleep(Math.max(1, moment.at - elapsed), { summary: moment.kind === 'reminder' ? 'approval reminder' : 'approval escalation' });
    elapsed = moment.at;
    await CancellationScope.nonCancellable(async () => {
      if (moment.kind === 'escalation') {
        book.allow(request.approvalId, ask.escalateTo.map((u) => u.id));
        const original = asked.map((u) => u.id);
        messages.push(...(await message(request, ask, ask.escalateTo, 'escalation', { role: 'fallback', originalApprovers: original })));
        asked = [...asked, ...ask.escalateTo];
      } else {
        reminders += 1;
        for (const role of ['manager', 'fallback'] as const) {
          const to = asked.filter((u) => (ask.approvers.includes(u) ? ask.approverRole : 'fallback') === role);
          if (to.length > 0) messages.push(...(await message(request, ask, to, 'reminder', { role, count: reminders })));
        }
      }
    });
  }
}

/**
 * Asks for one approval, messages the approvers, reminds and escalates while it waits, and ends
 * with the decision (or expiry, or the caller giving up): grants on approve, records how it
 * ended, and shows the outcome on every message the approvers got.
 */
export async function runApproval(
  book: ApprovalBook,
  request: ApprovalStep,
  results: { granted: StepResult[]; approvals: StepResult[] },
  stop: ApprovalStop,
): Promise<void> {
  const acts = approvalActivities(`approval: ${request.system} ${request.grant.entitlement}`);
  book.open(request.approvalId);
  // Approvals opened before approvers were routed (no messages, reminders or escalation) finish the way they began.
  if (!patched('approval-routing')) return unroutedApproval(acts, book, request, results, stop);
  const ask = await acts.requestApproval(request);
  book.allow(request.approvalId, ask.approvers.map((u) => u.id), ask.worker);
  const messages = await message(request, ask, ask.approvers, 'request', { role: ask.approverRole });

  const nudging = new CancellationScope();
  const nudges = nudging.run(() => nudge(book, request, ask, messages)).catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  const ended = await book.awaitDecision(request.approvalId, ask.timeoutMs, stop.cancelled);
  nudging.cancel();
  await nudges;
  const { status, decidedBy, reason, cancelled } = await conclude(acts, request, ended, results, stop);
  const decidedAt = ended.decision?.decidedAt;
  await slack
    .closeApprovalMessages({ step: request, messages, expiresAt: ask.expiresAt, status, decidedBy, reason, cancelled, ...(decidedAt ? { decidedAt } : {}) })
    .catch((err: unknown) => log.warn('approval messages not updated', { approvalId: request.approvalId, error: String(err) }));
}

/** Grants on approve and records how the approval ended (decided, expired, or withdrawn). */
async function conclude(
  acts: ReturnType<typeof approvalActivities>,
  request: ApprovalStep,
  ended: Awaited<ReturnType<ApprovalBook['awaitDecision']>>,
  results: { granted: StepResult[]; approvals: StepResult[] },
  stop: ApprovalStop,
) {
  const { decision } = ended;
  const withdrawn = stop.cancelled();
  let status: 'approved' | 'rejected' | 'expired' | 'cancelled' = ended.status === 'pending' ? 'expired' : ended.status;
  // Approved a moment before the workflow was told to stop, but not granted yet: it is not granted.
  if (status === 'approved' && withdrawn) status = 'cancelled';
  if (status === 'approved' && decision) {
    const grant = () => acts.grantEntitlement({ ...request, approval: { approvalId: request.approvalId, decidedBy: decision.decidedBy, reason: decision.reason } });
    const granted = stop.gate ? await stop.gate.run(grant) : await grant();
    if (granted) results.granted.push(granted);
  }
  const cancelled = status === 'cancelled';
  const reason = cancelled ? (ended.cancelReason ?? withdrawn) : decision?.reason;
  results.approvals.push(await acts.recordApprovalOutcome({ ...request, status, decidedBy: decision?.decidedBy, decidedAt: decision?.decidedAt, approver: decision?.approver, reason, cancelled }));
  return { status, decidedBy: decision?.decidedBy, reason, cancelled };
}

/** An approval opened before routing existed: decided through the API only, or expired. */
async function unroutedApproval(
  acts: ReturnType<typeof approvalActivities>,
  book: ApprovalBook,
  request: ApprovalStep,
  results: { granted: StepResult[]; approvals: StepResult[] },
  stop: ApprovalStop,
): Promise<void> {
  const { timeoutMs } = await acts.requestApproval(request);
  await conclude(acts, request, await book.awaitDecision(request.approvalId, timeoutMs, stop.cancelled), results, stop);
}
