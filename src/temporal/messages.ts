/**
 * Every signal, query and update the workflows take, in one module (the shared-definitions
 * style of the Temporal samples): the API, activities and tests use these to talk to workflows
 * by name and never import workflow code. Only definitions and types live here.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HrEvent, HrSource, WorkerAttributes } from '../hris/hr-event';

// ---- the worker's entity workflow (employee-<source>-<id>) ----------------------------------

export type EmployeeLifecycle = 'unknown' | 'joining' | 'active' | 'moving' | 'offboarding' | 'terminated';

export interface EmployeeStatus {
  employeeId: string;
  source: HrSource;
  lifecycle: EmployeeLifecycle;
  pendingEvents: number;
  appliedEvents: number;
  current?: { eventId: string; kind: HrEvent['kind'] };
  /** The worker's attributes as applied events describe them (for preview and the API). */
  worker: WorkerAttributes;
  /** Events received but not applied yet, oldest first. */
  pending: { eventId: string; kind: HrEvent['kind']; effectiveDate?: string }[];
  /** Lifecycle workflows running for the worker now (a leaver may run beside a joiner or mover). */
  running?: { kind: 'joiner' | 'mover' | 'leaver'; eventId: string; workflowId: string }[];
}

/** An HR event for this worker (the intake's signal-with-start); a repeated event ID changes nothing. */
export const hrEventSignal = defineSignal<[HrEvent]>('hrEvent');
export const statusQuery = defineQuery<EmployeeStatus>('status');

/**
 * From a leaver to its worker's workflow: the termination has taken effect, so whatever else
 * runs for the worker (a joiner, a mover) must stop now.
 */
export const leaverEffectiveSignal = defineSignal<[{ leaverWorkflowId: string }]>('leaverEffective');

/**
 * From a leaver to its worker's workflow: the termination takes effect later (a notice period),
 * so joiners and movers may run for the worker until it says it has taken effect.
 */
export const leaverWaitingSignal = defineSignal<[{ leaverWorkflowId: string; until: string }]>('leaverWaiting');

// ---- lifecycle children ---------------------------------------------------------------------

/** The termination was withdrawn (HR rescinded it); acted on only before it takes effect. */
export const rescindLeaverSignal = defineSignal<[{ hrEventId: string }]>('rescindLeaver');

/** A further termination for a leaver still waiting: one that takes effect earlier brings it forward. */
export const rescheduleLeaverSignal = defineSignal<[HrEvent]>('rescheduleLeaver');

/**
 * To a leaver from its worker's workflow: nothing else runs for the worker any more (a joiner or
 * mover it stopped has finished, with no step of it still in flight), so disabling and revoking
 * see everything that was granted. `stopped` counts the workflows it had to stop.
 */
export const othersStoppedSignal = defineSignal<[{ stopped: number }]>('othersStopped');

/** The hire was withdrawn (HR rescinded it); acted on only before the start date. */
export const rescindJoinerSignal = defineSignal<[{ hrEventId: string }]>('rescindJoiner');

/** A change before the joiner has finished: re-plan from the worker's new attributes. */
export const joinerChangeSignal = defineSignal<[HrEvent]>('joinerChange');

/** A further change to the same worker while a mover waits to revoke: re-plan from it. */
export const moverChangeSignal = defineSignal<[HrEvent]>('moverChange');

/** Why a joiner or mover was told to stop. */
export type WithdrawReason = 'worker_left';

/** Why the engine withdrew a pending approval (recorded as `approval.cancelled` with this reason). */
export type ApprovalCancelReason = WithdrawReason | 'hire_rescinded' | 'role_changed';

/**
 * To a running joiner or mover: stop now, grant nothing more, and end every pending approval as
 * cancelled with this reason (the worker's termination has taken effect). Once none of its
 * access steps is in flight any more, it tells the leaver named here (othersStoppedSignal).
 */
export const withdrawSignal = defineSignal<[{ reason: WithdrawReason; hrEventId: string; leaverWorkflowId?: string }]>('withdraw');

// ---- approvals --------------------------------------------------------------------------------

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface ApprovalDecision {
  approvalId: string;
  decision: 'approve' | 'reject';
  reason?: string;
  /** Who decided: `api:admin` (`api:admin:<name>` for a named token), or the approver's Slack user ID. */
  decidedBy: string;
  /** Where the decision came from; Slack decisions must come from an eligible approver. */
  via?: 'api' | 'slack';
  /** The Slack user who clicked, with their Slack profile email (for evidence and the self-approval check). */
  approver?: { slackId: string; email?: string };
  /** When the approver decided (ISO-8601 UTC), as the process that took the decision saw it. */
  decidedAt?: string;
}

/** Why a decision was refused: the `type` of the failure the update is rejected with. */
export type RefusalReason = 'unknown_approval' | 'already_decided' | 'expired' | 'cancelled' | 'not_an_approver' | 'self_approval' | 'invalid_decision';

/** An approver's decision. The validator refuses unknown, decided and ineligible decisions. */
export const decideApprovalUpdate = defineUpdate<ApprovalStatus, [ApprovalDecision]>('decideApproval');

// ---- mass-termination holds (hold-<source>-<n>) ----------------------------------------------

export type HoldDecisionKind = 'release' | 'abort';

export interface HoldDecision {
  decision: HoldDecisionKind;
  reason?: string;
  /** Who decided: `api:admin` (`api:admin:<name>` for a named token), or the Slack user ID. */
  decidedBy: string;
  via: 'api' | 'slack';
  /** The Slack user who clicked, with their Slack profile email (evidence). */
  approver?: { slackId: string; email?: string };
  decidedAt: string;
}

/** Why a hold decision was refused: the `type` of the failure the update is rejected with. */
export type HoldRefusalReason = 'already_decided' | 'not_a_decider' | 'invalid_decision';

/** What a decided hold answers: its status and how many leavers it let go or stopped. */
export interface HoldOutcome {
  holdId: string;
  status: 'released' | 'aborted';
  members: number;
}

/** One decision for every leaver in a hold; the validator refuses a second one. */
export const decideHoldUpdate = defineUpdate<HoldOutcome, [HoldDecision]>('decideHold');

/** From a hold to each of its leavers: the decision, applied to the leaver's held steps. */
export const holdDecidedSignal = defineSignal<[{ holdId: string } & HoldDecision]>('holdDecided');

export const holdStatusQuery = defineQuery<{ holdId: string; status: 'open' | 'released' | 'aborted'; reminders: number; escalated: boolean }>('holdStatus');

// ---- access reviews (review-<campaign>, review-<campaign>-reviewer-<n>) -------------------------

export interface ReviewItemDecision {
  itemId: string;
  decision: 'keep' | 'revoke';
  /** Needed for a revoke. */
  reason?: string;
  /** Who decided: `api:admin[:<name>]`, `console:admin[:<name>]`, or the Slack user ID. */
  decidedBy: string;
  via: 'api' | 'console' | 'slack';
  /** The item's worker, `<source>:<employeeId>` (a Slack decision: nobody reviews their own access). */
  worker?: string;
  /** The Slack user who clicked, with a digest of their Slack profile email. */
  approver?: { slackId: string; emailDigest?: string };
}

/** What a decision came to, as the store shows it afterwards (and, for a revoke, as the system does). */
export interface ReviewItemOutcome {
  itemId: string;
  /** decided: this decision was recorded; already_decided: an earlier one stands; not_found: no such item here. */
  result: 'decided' | 'already_decided' | 'not_found';
  status?: 'pending' | 'kept' | 'revoked' | 'unreviewed';
  decidedBy?: string;
  /** For a revoke: success (gone on a fresh read), not_found (the account is gone), failure. */
  revokeOutcome?: string;
}

/** The longest reason a review decision may carry. */
export const maxReviewReasonLength = 2000;

/** Why a review decision was refused before anything was done: the failure's `type`. */
export type ReviewRefusalReason = 'campaign_closed' | 'invalid_decision' | 'reason_required' | 'not_a_reviewer' | 'self_review' | 'continuing_as_new';

/**
 * A reviewer's (or an admin's) decision on one item. The validator refuses a closed campaign, a
 * revoke without a reason, and in Slack anyone but the reviewer asked (or a fallback reviewer
 * after escalation) and anyone deciding on their own access.
 */
export const decideReviewItemUpdate = defineUpdate<ReviewItemOutcome, [ReviewItemDecision]>('decideReviewItem');

// ---- workflow types, started by name ------------------------------------------------------------

/** Workflow type names, so the API and activities start workflows without importing them. */
export const workflowTypes = {
  employee: 'employeeWorkflow',
  reconcile: 'reconcileWorkflow',
  massHold: 'massHoldWorkflow',
  orphans: 'orphanReconcileWorkflow',
  accessReview: 'accessReviewWorkflow',
  scheduledReview: 'scheduledReviewWorkflow',
} as const;
