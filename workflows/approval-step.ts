import { proxyActivities } from '@temporalio/workflow';
import type { ApprovalStep, JoinerActivities } from '../activities/joiner';
import type { StepResult } from '../activities/system-step';
import { shortEventId, type HrSource } from '../src/hris/hr-event';
import type { ApprovalBook } from './approvals';

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

function approvalActivities(summary: string) {
  return proxyActivities<Pick<JoinerActivities, 'requestApproval' | 'recordApprovalOutcome' | 'grantEntitlement'>>({
    startToCloseTimeout: '60s',
    retry,
    summary,
  });
}

/** Readable, URL-safe and stable for the HR event, system and grant. */
export function approvalIdFor(plan: { source: HrSource; employeeId: string; hrEventId: string }, system: string, index: number): string {
  return `apr-${plan.source}-${plan.employeeId}-${shortEventId(plan.hrEventId)}-${system}-${index}`;
}

/**
 * Asks for one approval, waits for the decision (or expiry, or the caller giving up), grants on
 * approve, and records how it ended.
 */
export async function runApproval(
  book: ApprovalBook,
  request: ApprovalStep,
  results: { granted: StepResult[]; approvals: StepResult[] },
  stop: { cancelled: () => boolean; cancelReason: string },
): Promise<void> {
  const acts = approvalActivities(`approval: ${request.system} ${request.grant.entitlement}`);
  book.open(request.approvalId);
  const { timeoutMs } = await acts.requestApproval(request);
  const { status, decision } = await book.awaitDecision(request.approvalId, timeoutMs, stop.cancelled);
  if (status === 'pending') return;
  if (status === 'approved' && decision) {
    results.granted.push(
      await acts.grantEntitlement({ ...request, approval: { approvalId: request.approvalId, decidedBy: decision.decidedBy, reason: decision.reason } }),
    );
  }
  const reason = status === 'expired' && stop.cancelled() ? stop.cancelReason : decision?.reason;
  results.approvals.push(await acts.recordApprovalOutcome({ ...request, status, decidedBy: decision?.decidedBy, reason }));
}
