export const approvalStatuses = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

/** The outcomes a decision can record; a decided approval never returns to pending. */
export type ApprovalOutcome = Exclude<ApprovalStatus, 'pending'>;

/** A person an approval was put to. */
export interface ApproverRef {
  slackId: string;
  email?: string;
  role: 'manager' | 'fallback';
}

/** What a workflow asks for when an entitlement's rule needs approval. Timestamps are ISO-8601 UTC. */
export interface ApprovalRequest {
  /** Stable for the step that asks, so a retried request finds the first one. */
  approvalId: string;
  workflowId: string;
  employeeId: string;
  /** bamboohr or workday. */
  hrSource: string;
  system: string;
  entitlement: string;
  /** Labels of the policy rules that asked for approval. */
  rules: string[];
  /** Who was asked first (empty without Slack: decided through the API). */
  approvers?: ApproverRef[];
  requestedAt: string;
  expiresAt: string;
}

export interface ApprovalRecord extends ApprovalRequest {
  status: ApprovalStatus;
  /** Who decided: `api:admin`, a Slack user ID, or the engine for an expiry. */
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

export interface ApprovalDecisionInput {
  status: ApprovalOutcome;
  decidedBy: string;
  reason?: string;
  /** ISO-8601. */
  decidedAt: string;
}

/**
 * Thrown by whatever applies a decision when the approval cannot take it (e.g. the workflow
 * decided or stopped waiting meanwhile). The HTTP API answers it with 409; it is matched by
 * `name`, so an error rebuilt from another process (e.g. a Temporal failure) counts too.
 */
export class ApprovalConflict extends Error {
  override readonly name = 'ApprovalConflict';
  constructor(
    message: string,
    options?: { cause?: unknown },
    /** Why the workflow refused (e.g. not_an_approver, self_approval, already_decided), when it said. */
    readonly reason?: string,
  ) {
    super(message, options);
  }
}

export const isApprovalConflict = (err: unknown): err is Error =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ApprovalConflict';
