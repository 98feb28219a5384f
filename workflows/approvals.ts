import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  decideApprovalUpdate,
  type ApprovalCancelReason,
  type ApprovalDecision,
  type ApprovalStatus,
  type RefusalReason,
} from '../src/temporal/messages';

export type { ApprovalDecision, ApprovalStatus, RefusalReason } from '../src/temporal/messages';

/** The worker the access is for: never allowed to approve it (separation of duties). */
export interface WorkerIdentity {
  slackId?: string;
  email?: string;
}

interface Entry {
  status: ApprovalStatus;
  decision?: ApprovalDecision;
  /** Slack user IDs who may decide: the manager, and the fallback approvers once escalated. */
  eligible: Set<string>;
  worker: WorkerIdentity;
  /** Why the engine withdrew it, once cancelled. */
  cancelReason?: ApprovalCancelReason;
}

function refuse(type: RefusalReason, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** The approvals one workflow waits on; each is decided once, by the first valid decision. */
export class ApprovalBook {
  private readonly entries = new Map<string, Entry>();

  constructor() {
    setHandler(
      decideApprovalUpdate,
      (d) => {
        const entry = this.entries.get(d.approvalId) as Entry;
        entry.status = d.decision === 'approve' ? 'approved' : 'rejected';
        entry.decision = d;
        return entry.status;
      },
      // Synchronous on purpose: a validator that throws rejects the update before it is recorded.
      { validator: (d) => this.validate(d) },
    );
  }

  private validate(d: ApprovalDecision): void {
    const entry = this.entries.get(d.approvalId);
    if (!entry) refuse('unknown_approval', `approval ${d.approvalId} is not waiting in this workflow`);
    if (entry.status === 'expired') refuse('expired', `approval ${d.approvalId} has expired`);
    if (entry.status === 'cancelled') refuse('cancelled', `approval ${d.approvalId} was withdrawn (${entry.cancelReason ?? 'no longer needed'})`);
    if (entry.status !== 'pending') refuse('already_decided', `approval ${d.approvalId} is already ${entry.status} by ${entry.decision?.decidedBy ?? 'someone'}`);
    if (d.decision !== 'approve' && d.decision !== 'reject') refuse('invalid_decision', 'decision must be approve or reject');
    if (d.decision === 'reject' && !d.reason?.trim()) refuse('invalid_decision', 'a rejection needs a reason');
    if (d.via !== 'slack') return;
    const approver = d.approver;
    if (!approver?.slackId) refuse('not_an_approver', 'a Slack decision must name the approver');
    const email = approver.email?.toLowerCase();
    if (approver.slackId === entry.worker.slackId || (email !== undefined && email === entry.worker.email?.toLowerCase())) {
      refuse('self_approval', 'nobody may approve access for themselves');
    }
    if (!entry.eligible.has(approver.slackId)) refuse('not_an_approver', `${approver.slackId} is not an approver of ${d.approvalId}`);
  }

  open(approvalId: string, worker: WorkerIdentity = {}): void {
    if (!this.entries.has(approvalId)) this.entries.set(approvalId, { status: 'pending', eligible: new Set(), worker });
  }

  /** Lets more Slack users decide (the manager at first; the fallback approvers on escalation). */
  allow(approvalId: string, slackIds: string[], worker?: WorkerIdentity): void {
    const entry = this.entries.get(approvalId);
    if (!entry) return;
    if (worker) entry.worker = worker;
    for (const id of slackIds) entry.eligible.add(id);
  }

  /**
   * Withdraws pending approvals at once (all, or those named), so that a decision arriving from
   * now on is refused by the validator; their waits end as cancelled.
   */
  cancel(reason: ApprovalCancelReason, approvalIds?: readonly string[]): void {
    for (const [id, entry] of this.entries) {
      if (entry.status !== 'pending' || (approvalIds && !approvalIds.includes(id))) continue;
      entry.status = 'cancelled';
      entry.cancelReason = reason;
    }
  }

  /**
   * Waits for a decision, the timeout, or `cancelled()` naming a reason; undecided approvals
   * expire, withdrawn ones end cancelled.
   */
  async awaitDecision(approvalId: string, timeoutMs: number, cancelled: () => ApprovalCancelReason | undefined): Promise<Entry> {
    const entry = this.entries.get(approvalId) as Entry;
    await condition(() => entry.status !== 'pending' || cancelled() !== undefined, Math.max(1, timeoutMs), { summary: 'wait for approval' });
    if (entry.status === 'pending') {
      const reason = cancelled();
      if (reason) this.cancel(reason, [approvalId]);
      else entry.status = 'expired';
    }
    return entry;
  }
}
