import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface ApprovalDecision {
  approvalId: string;
  decision: 'approve' | 'reject';
  reason?: string;
  /** Who decided, e.g. api:admin or a Slack user. */
  decidedBy: string;
}

/** An approver's decision. The validator refuses unknown and already-decided approvals. */
export const decideApprovalUpdate = defineUpdate<ApprovalStatus, [ApprovalDecision]>('decideApproval');

interface Entry {
  status: ApprovalStatus;
  decision?: ApprovalDecision;
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
      {
        // Synchronous on purpose: a validator that throws rejects the update before it is recorded.
        validator: (d) => {
          const entry = this.entries.get(d.approvalId);
          if (!entry) throw new Error(`approval ${d.approvalId} is not waiting in this workflow`);
          if (entry.status !== 'pending') throw new Error(`approval ${d.approvalId} is already ${entry.status}`);
          if (d.decision !== 'approve' && d.decision !== 'reject') throw new Error('decision must be approve or reject');
          if (d.decision === 'reject' && !d.reason?.trim()) throw new Error('a rejection needs a reason');
        },
      },
    );
  }

  open(approvalId: string): void {
    if (!this.entries.has(approvalId)) this.entries.set(approvalId, { status: 'pending' });
  }

  /** Waits for a decision, the timeout, or `cancelled()`; undecided approvals expire. */
  async awaitDecision(approvalId: string, timeoutMs: number, cancelled: () => boolean): Promise<Entry> {
    const entry = this.entries.get(approvalId) as Entry;
    await condition(() => entry.status !== 'pending' || cancelled(), Math.max(1, timeoutMs), { summary: 'wait for approval' });
    if (entry.status === 'pending') entry.status = 'expired';
    return entry;
  }
}
