import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { decideApprovalUpdate } from '../../workflows/approvals';
import type { ApprovalStore } from './store';
import { ApprovalConflict, type ApprovalRecord } from './types';

export interface Decision {
  decision: 'approve' | 'reject';
  reason?: string;
  decidedBy: string;
}

/**
 * Hands a decision to the workflow that waits on the approval (a validated update: the
 * workflow is the judge of whether it still waits), then records it in the approvals table.
 */
export function createApprovalDecider(client: Client, store: ApprovalStore) {
  return async function decide(record: ApprovalRecord, d: Decision): Promise<void> {
    try {
      await client.workflow.getHandle(record.workflowId).executeUpdate(decideApprovalUpdate, {
        args: [{ approvalId: record.approvalId, decision: d.decision, reason: d.reason, decidedBy: d.decidedBy }],
      });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
        throw new ApprovalConflict(`the workflow no longer takes this decision: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: err });
      }
      throw err;
    }
    await store.decide(record.approvalId, {
      status: d.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: d.decidedBy,
      reason: d.reason,
      decidedAt: new Date().toISOString(),
    });
  };
}
