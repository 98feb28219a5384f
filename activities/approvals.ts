import type { HrEvent, LifecycleKind } from '../src/hris/hr-event';
import type { ApprovalMessageInput } from '../src/slack/messages';
import {
  approvalCancelledMessage,
  approvalDecidedMessage,
  approvalEscalationMessage,
  approvalExpiredMessage,
  approvalReminderMessage,
  approvalRequestMessage,
} from '../src/slack/messages';
import type { PostedMessage, SlackUser } from '../src/slack/client';
import type { ActivityDeps } from './deps';
import type { GrantStep } from './joiner';
import { managerInSlack, slackStep } from './slack-step';
import { currentRun } from './step';
import { createSystemStepTools, type StepResult } from './system-step';

/** Who the access is for, as the approver needs to see it. */
export interface ApprovalWorker {
  name?: string;
  jobTitle?: string;
  department?: string;
  email?: string;
  /** HRIS ID of the manager who approves. */
  managerId?: string;
}

/** The approver's view of a worker, from the HR event behind the request. */
export function approvalWorker(event: HrEvent): ApprovalWorker {
  const w = event.worker;
  const name = [w.firstName, w.lastName].filter(Boolean).join(' ');
  return {
    ...(name ? { name } : {}),
    ...(w.jobTitle ? { jobTitle: w.jobTitle } : {}),
    ...(w.department ? { department: w.department } : {}),
    ...(w.workEmail ? { email: w.workEmail.toLowerCase() } : {}),
    ...(w.managerId ? { managerId: w.managerId } : {}),
  };
}

export interface ApprovalStep extends GrantStep {
  approvalId: string;
  worker?: ApprovalWorker;
  hrEvent?: { kind: LifecycleKind; effectiveDate?: string };
}

export type ApproverRole = 'manager' | 'fallback';

/** What the workflow needs to run an approval: who may decide, and its clock. */
export interface ApprovalAsk {
  timeoutMs: number;
  expiresAt: string;
  remindEveryMs: number;
  escalateAfterMs: number;
  /** Asked first: the manager found in Slack, else the fallback approvers. Empty without Slack. */
  approvers: SlackUser[];
  approverRole: ApproverRole;
  /** Asked on escalation (never the worker); empty when they were asked first. */
  escalateTo: SlackUser[];
  /** The worker's own identity, who may never approve. */
  worker: { slackId?: string; email?: string };
}

export interface ApproverMessage extends PostedMessage {
  user: string;
  role: ApproverRole;
}

export interface ApprovalOutcomeStep extends ApprovalStep {
  status: 'approved' | 'rejected' | 'expired' | 'cancelled';
  decidedBy?: string;
  approver?: { slackId: string; email?: string };
  /** When the approver decided; absent for an expiry (recorded when it is noticed). */
  decidedAt?: string;
  reason?: string;
  /** The engine withdrew it (reason says why: worker_left, hire_rescinded, role_changed). */
  cancelled?: boolean;
}

/** What an approver is told when the engine withdraws a request. */
const cancelReasonText: Record<string, string> = {
  worker_left: 'the worker has left',
  hire_rescinded: 'the hire was rescinded',
  role_changed: "the worker's new role no longer gives this access",
};

/** An approval the engine withdrew; older workflows sent these as `expired` with `cancelled`. */
const isCancelled = (s: { status: string; cancelled?: boolean }) => s.status === 'cancelled' || (s.status === 'expired' && s.cancelled === true);

const rulesOf = (step: GrantStep) => step.grant.sources.map((s) => s.rule);

export function createApprovalActivities(deps: ActivityDeps) {
  const { now, connectorFor, base, record } = createSystemStepTools(deps);
  const settings = deps.approvals;

  function evidenceEntry(step: ApprovalStep, action: string, suffix = '') {
    const entry = base(step, action, connectorFor(step.system));
    return {
      ...entry,
      entitlement: step.grant.entitlement,
      stepKey: `${entry.stepKey}:${step.grant.entitlement}${suffix}`,
      context: { ...entry.context, approvalId: step.approvalId, rules: rulesOf(step) },
    };
  }

  /** The manager in Slack (HRIS manager -> work email -> Slack user), else the fallback approvers. */
  async function resolveApprovers(step: ApprovalStep): Promise<Pick<ApprovalAsk, 'approvers' | 'approverRole' | 'escalateTo' | 'worker'> & { managerEmail?: string }> {
    const slack = deps.slack;
    const workerEmail = step.worker?.email?.toLowerCase() ?? step.login;
    if (!slack) return { approvers: [], approverRole: 'fallback', escalateTo: [], worker: { email: workerEmail } };
    const workerSlack = workerEmail ? await slackStep(() => slack.userByEmail(workerEmail), 'permanent') : undefined;
    const notWorker = (u: SlackUser) => u.id !== workerSlack?.id && (!u.email || u.email.toLowerCase() !== workerEmail);
    const { email: managerEmail, user: manager } = await managerInSlack(deps, step.source, step.worker?.managerId);
    const fallback = (settings.fallbackApprovers ?? []).map((id) => ({ id })).filter(notWorker);
    const worker = { ...(workerSlack ? { slackId: workerSlack.id } : {}), ...(workerEmail ? { email: workerEmail } : {}) };
    if (manager && notWorker(manager)) {
      return { approvers: [manager], approverRole: 'manager', escalateTo: fallback.filter((f) => f.id !== manager.id), worker, managerEmail };
    }
    return { approvers: fallback, approverRole: 'fallback', escalateTo: [], worker, ...(managerEmail ? { managerEmail } : {}) };
  }

  function messageInput(step: ApprovalStep, expiresAt: string, approverRole: ApproverRole): ApprovalMessageInput {
    return {
      approvalId: step.approvalId,
      worker: {
        employeeId: step.employeeId,
        hrSource: step.source,
        ...(step.worker?.name ? { name: step.worker.name } : {}),
        ...(step.worker?.jobTitle ? { jobTitle: step.worker.jobTitle } : {}),
        ...(step.worker?.department ? { department: step.worker.department } : {}),
        ...(step.login ? { email: step.login } : {}),
      },
      system: step.system,
      entitlement: step.grant.entitlement,
      rules: rulesOf(step),
      hrEvent: { eventId: step.hrEventId, kind: step.hrEvent?.kind ?? 'hire', ...(step.hrEvent?.effectiveDate ? { effectiveDate: step.hrEvent.effectiveDate } : {}) },
      expiresAt,
      approverRole,
    };
  }

  return {
    /**
     * Opens an approval for access the policy gives only with one: finds who decides, stores the
     * request (idempotent on its ID) and records it. Returns the clock and the approvers.
     */
    async requestApproval(step: ApprovalStep): Promise<ApprovalAsk> {
      const run = currentRun();
      const at = now();
      const who = await resolveApprovers(step);
      const stored = await settings.store.request({
        approvalId: step.approvalId,
        workflowId: run.workflowId,
        employeeId: step.employeeId,
        hrSource: step.source,
        system: step.system,
        entitlement: step.grant.entitlement,
        rules: rulesOf(step),
        requestedAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + settings.timeoutMs).toISOString(),
        approvers: who.approvers.map((a) => ({ slackId: a.id, ...(a.email ? { email: a.email } : {}), role: who.approverRole })),
      });
      if (deps.slack && who.approvers.length === 0) deps.log.warn({ approvalId: step.approvalId }, 'approval has nobody to ask in Slack; set approvals.fallbackApprovers');
      const entry = evidenceEntry(step, 'approval.requested');
      await deps.evidence.append({
        ...entry,
        outcome: 'success',
        occurredAt: stored.requestedAt,
        context: {
          ...entry.context,
          expiresAt: stored.expiresAt,
          approverRole: who.approverRole,
          approvers: who.approvers.map((a) => ({ slackId: a.id, ...(a.email ? { email: a.email } : {}) })),
          ...(who.managerEmail ? { managerEmail: who.managerEmail } : {}),
          ...(deps.slack
            ? who.approvers.length === 0
              ? { reason: 'nobody to ask in Slack (no manager found, no fallback approvers): decide through POST /api/approvals/:id' }
              : {}
            : { reason: 'Slack is not configured: decide through POST /api/approvals/:id' }),
        },
      });
      return {
        timeoutMs: Math.max(0, Date.parse(stored.expiresAt) - at.getTime()),
        expiresAt: stored.expiresAt,
        remindEveryMs: settings.remindEveryMs ?? 0,
        escalateAfterMs: settings.escalateAfterMs ?? 0,
        approvers: who.approvers,
        approverRole: who.approverRole,
        escalateTo: who.escalateTo,
        worker: who.worker,
      };
    },

    /**
     * Sends one approver the request, a reminder or an escalation as a direct message (one
     * approver per activity, so a retry never messages the others twice). Reminders and
     * escalations are evidence; the request itself was recorded when it was opened.
     */
    async messageApprover(input: {
      step: ApprovalStep;
      kind: 'request' | 'reminder' | 'escalation';
      to: SlackUser;
      role: ApproverRole;
      expiresAt: string;
      count?: number;
      originalApprovers?: string[];
    }): Promise<ApproverMessage | undefined> {
      const { step, kind, to, role } = input;
      const at = now().toISOString();
      const content =
        kind === 'request'
          ? approvalRequestMessage(messageInput(step, input.expiresAt, role))
          : kind === 'reminder'
            ? approvalReminderMessage(messageInput(step, input.expiresAt, role), { remindedAt: at, count: input.count ?? 1 })
            : approvalEscalationMessage(messageInput(step, input.expiresAt, role), { escalatedAt: at, originalApprovers: input.originalApprovers ?? [] });
      const slack = deps.slack;
      let posted: PostedMessage | undefined;
      if (slack) posted = await slackStep(() => slack.post(to.id, content));
      // The message names the worker and their address: the log line carries IDs only.
      else deps.log.info({ approvalId: step.approvalId, kind, to: to.id, employeeId: step.employeeId, system: step.system, entitlement: step.grant.entitlement }, `approval ${kind} not sent: Slack is not configured`);
      if (kind !== 'request') {
        const action = kind === 'reminder' ? 'approval.reminded' : 'approval.escalated';
        const entry = evidenceEntry(step, action, `:${input.count ?? 1}:${to.id}`);
        await deps.evidence.append({ ...entry, outcome: 'success', occurredAt: at, context: { ...entry.context, to: { slackId: to.id, ...(to.email ? { email: to.email } : {}) }, role } });
      }
      return posted ? { ...posted, user: to.id, role } : undefined;
    },

    /** Shows the outcome on every message the approvers got: decided (by whom, when), expired or withdrawn. */
    async closeApprovalMessages(input: {
      step: ApprovalStep;
      messages: ApproverMessage[];
      expiresAt: string;
      status: 'approved' | 'rejected' | 'expired' | 'cancelled';
      decidedBy?: string;
      reason?: string;
      cancelled?: boolean;
      decidedAt?: string;
    }): Promise<number> {
      const slack = deps.slack;
      if (!slack || input.messages.length === 0) return 0;
      const at = now().toISOString();
      let updated = 0;
      for (const m of input.messages) {
        const base = messageInput(input.step, input.expiresAt, m.role);
        const content = isCancelled(input)
          ? approvalCancelledMessage(base, { at, reason: cancelReasonText[input.reason ?? ''] ?? input.reason ?? 'no longer needed' })
          : input.status === 'expired'
            ? approvalExpiredMessage(base, { expiredAt: at })
            : approvalDecidedMessage(base, { decision: input.status === 'rejected' ? 'rejected' : 'approved', decidedBy: input.decidedBy ?? 'unknown', decidedAt: input.decidedAt ?? at, ...(input.reason ? { reason: input.reason } : {}) });
        await slackStep(() => slack.update(m, content), ['message_not_found', 'cant_update_message', 'channel_not_found']);
        updated += 1;
      }
      return updated;
    },

    /** Records how an approval ended: decided by an approver, expired undecided, or withdrawn by the engine. */
    async recordApprovalOutcome(step: ApprovalOutcomeStep): Promise<StepResult> {
      const cancelled = isCancelled(step);
      const status = cancelled ? 'cancelled' : step.status;
      const byEngine = status === 'expired' || status === 'cancelled';
      const decidedBy = byEngine ? 'jml-engine' : (step.decidedBy ?? 'jml-engine');
      const at = byEngine ? now().toISOString() : (step.decidedAt ?? now().toISOString());
      await settings.store.decide(step.approvalId, { status, decidedBy, reason: step.reason, decidedAt: at });
      const action = status === 'expired' ? 'approval.expired' : status === 'cancelled' ? 'approval.cancelled' : 'approval.decided';
      const entry = evidenceEntry(step, action);
      const approvedFirst = cancelled && step.decidedBy ? { approvedBy: step.decidedBy } : {};
      return record(
        {
          ...entry,
          actorType: byEngine ? 'engine' : 'approver',
          actorId: decidedBy,
          context: {
            ...entry.context,
            decision: status,
            decidedAt: at,
            ...approvedFirst,
            ...(step.approver && !byEngine ? { approver: step.approver } : {}),
            ...(step.reason && !cancelled ? { approvalReason: step.reason } : {}),
          },
        },
        status === 'approved' ? 'success' : 'skipped',
        cancelled
          ? (step.reason ?? 'withdrawn')
          : status === 'expired'
            ? 'no decision before the approval timed out; access not granted'
            : status === 'rejected'
              ? 'rejected; access not granted'
              : undefined,
      );
    },
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
