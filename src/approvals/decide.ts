import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decideApprovalUpdate, type ApprovalDecision } from '../temporal/messages';
import type { ApprovalStore } from './store';
import { ApprovalConflict, type ApprovalRecord } from './types';

export type Decision = Omit<ApprovalDecision, 'approvalId'>;

/**
 * Hands a decision to the workflow that waits on the approval (a validated update: the
 * workflow is the judge of whether it still waits and who may decide), then records it in the
 * approvals table. A refusal is an ApprovalConflict with the workflow's reason.
 */
export function createApprovalDecider(client: Client, store: ApprovalStore) {
  return async function decide(record: ApprovalRecord, d: Decision): Promise<void> {
    const decidedAt = d.decidedAt ?? new Date().toISOString();
    try {
      await client.workflow.getHandle(record.workflowId).executeUpdate(decideApprovalUpdate, {
        args: [{ ...d, decidedAt, approvalId: record.approvalId }],
      });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        const reason = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
        throw new ApprovalConflict(`the workflow refused the decision: ${cause?.message ?? err.message}`, { cause: err }, reason);
      }
      if (err instanceof WorkflowNotFoundError) {
        throw new ApprovalConflict('the workflow that asked for this approval has finished', { cause: err }, 'no_longer_waiting');
      }
      throw err;
    }
    await store.decide(record.approvalId, {
      status: d.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: d.decidedBy,
      reason: d.reason,
      decidedAt,
    });
  };
}
