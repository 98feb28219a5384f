import type { ApprovalStore } from './store';
import { isApprovalConflict, type ApprovalRecord, type ApprovalStatus } from './types';

export type ApprovalDecisionCommand = { decision: 'approve' | 'reject'; reason?: string; decidedBy: string; via?: 'api' | 'slack' };

/** Applies and records a decision; throws an error named ApprovalConflict when the approval cannot take it. */
export type ApprovalDecider = (record: ApprovalRecord, decision: ApprovalDecisionCommand) => Promise<void>;

/** What a decision asked for over HTTP (the API or the console) came to. */
export type DecisionResult =
  | { kind: 'not_found' }
  /** No longer pending: decided, expired or cancelled before this decision (or by another that got there first). */
  | { kind: 'already_decided'; status: ApprovalStatus }
  /** The workflow refused it (e.g. it no longer waits). */
  | { kind: 'refused'; message: string }
  /** Recorded as asked. */
  | { kind: 'recorded'; status: ApprovalStatus }
  /** Accepted by the workflow, not yet shown by the store. */
  | { kind: 'accepted' };

/**
 * Hands a decision on a pending approval to `decide` and reads the store back: success is
 * reported only when a fresh read shows the approval decided as asked.
 */
export async function applyDecision(approvals: ApprovalStore, decide: ApprovalDecider, id: string, command: ApprovalDecisionCommand): Promise<DecisionResult> {
  const record = await approvals.get(id);
  if (!record) return { kind: 'not_found' };
  if (record.status !== 'pending') return { kind: 'already_decided', status: record.status };
  try {
    await decide(record, command);
  } catch (err) {
    if (!isApprovalConflict(err)) throw err;
    return { kind: 'refused', message: err.message };
  }
  const after = await approvals.get(id);
  const wanted = command.decision === 'approve' ? 'approved' : 'rejected';
  if (!after || after.status === 'pending') return { kind: 'accepted' };
  if (after.status === wanted) return { kind: 'recorded', status: after.status };
  return { kind: 'already_decided', status: after.status };
}
