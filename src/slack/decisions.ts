import type { Decision } from '../approvals/decide';
import type { ApprovalRecord } from '../approvals/types';
import { isApprovalConflict } from '../approvals/types';
import type { EvidenceInput } from '../evidence/types';
import type { Logger } from '../log';
import type { SlackApi } from './client';
import { refusedClickText } from './messages';

export type RefusedReason = Parameters<typeof refusedClickText>[0];

export interface SlackDecisionDeps {
  slack: Pick<SlackApi, 'user' | 'ephemeral'>;
  approvals: { get(id: string): Promise<ApprovalRecord | undefined> };
  decide: (record: ApprovalRecord, decision: Decision) => Promise<void>;
  evidence: { append(input: EvidenceInput): Promise<unknown> };
  log: Logger;
  now?: () => Date;
}

/** One click (or modal submission) by a Slack user on an approval message. */
export interface SlackClick {
  approvalId: string;
  userId: string;
  decision: 'approve' | 'reject';
  reason?: string;
  /** Where to answer with an ephemeral message (the DM the approval was posted in). */
  channel?: string;
  /** Unique per click (Slack's action_ts or the view submission's ID): keys the refusal evidence. */
  clickId: string;
}

const knownReasons: ReadonlySet<string> = new Set(['not_an_approver', 'self_approval', 'already_decided', 'expired', 'cancelled', 'unknown_approval']);

/**
 * Hands a Slack click to the workflow that waits on the approval. The workflow decides whether
 * the clicker may decide; a refusal is answered with an ephemeral explanation and recorded as
 * evidence (approval.refused). Never throws: Slack has been acknowledged already.
 */
export function createSlackDecisions(deps: SlackDecisionDeps) {
  const now = () => deps.now?.() ?? new Date();

  async function tell(click: SlackClick, text: string): Promise<void> {
    if (!click.channel) return;
    await deps.slack.ephemeral(click.channel, click.userId, text).catch((err: unknown) => deps.log.warn({ err, approvalId: click.approvalId }, 'could not answer the click'));
  }

  async function refused(click: SlackClick, record: ApprovalRecord | undefined, reason: RefusedReason, email?: string): Promise<void> {
    const detail = record ? { status: record.status, ...(record.decidedBy ? { decidedBy: record.decidedBy } : {}) } : {};
    await tell(click, refusedClickText(reason, detail));
    await deps.evidence
      .append({
        stepKey: `slack:approval.refused:${click.approvalId}:${click.userId}:${click.clickId}`,
        employeeId: record?.employeeId ?? 'unknown',
        hrSource: record?.hrSource ?? 'unknown',
        actorType: 'approver',
        actorId: click.userId,
        action: 'approval.refused',
        ...(record ? { system: record.system, entitlement: record.entitlement } : {}),
        occurredAt: now().toISOString(),
        where: 'slack',
        outcome: 'failure',
        context: {
          approvalId: click.approvalId,
          attempted: click.decision,
          reason,
          approver: { slackId: click.userId, ...(email ? { email } : {}) },
          ...(record ? { workflowId: record.workflowId } : {}),
        },
      })
      .catch((err: unknown) => deps.log.error({ err, approvalId: click.approvalId }, 'could not record a refused approval click'));
    deps.log.info({ approvalId: click.approvalId, user: click.userId, reason }, 'approval click refused');
  }

  /** The current state of an approval, when a click cannot be taken. */
  function staleReason(record: ApprovalRecord | undefined): RefusedReason {
    if (!record) return 'unknown_approval';
    if (record.status === 'expired') return 'expired';
    return record.status === 'cancelled' ? 'cancelled' : 'already_decided';
  }

  return {
    /** True when the approval still waits (the Reject button checks before asking for a reason). */
    async stillPending(click: SlackClick): Promise<boolean> {
      const record = await deps.approvals.get(click.approvalId);
      if (record?.status === 'pending') return true;
      await refused(click, record, staleReason(record));
      return false;
    },

    async handle(click: SlackClick): Promise<void> {
      try {
        const record = await deps.approvals.get(click.approvalId);
        if (!record || record.status !== 'pending') return await refused(click, record, staleReason(record));
        const profile = await deps.slack.user(click.userId).catch(() => undefined);
        const email = profile?.email?.toLowerCase();
        try {
          await deps.decide(record, {
            decision: click.decision,
            ...(click.reason ? { reason: click.reason } : {}),
            decidedBy: click.userId,
            via: 'slack',
            decidedAt: now().toISOString(),
            approver: { slackId: click.userId, ...(email ? { email } : {}) },
          });
        } catch (err) {
          if (!isApprovalConflict(err)) throw err;
          const said = (err as { reason?: string }).reason;
          const reason = said && knownReasons.has(said) ? (said as RefusedReason) : staleReason(await deps.approvals.get(click.approvalId));
          return await refused(click, await deps.approvals.get(click.approvalId), reason, email);
        }
        deps.log.info({ approvalId: click.approvalId, user: click.userId, decision: click.decision }, 'approval decided in Slack');
      } catch (err) {
        deps.log.error({ err, approvalId: click.approvalId }, 'could not hand a Slack decision to the workflow');
        await tell(click, 'Your decision could not be recorded just now; nothing changed. Please try again in a minute.');
      }
    },
  };
}
