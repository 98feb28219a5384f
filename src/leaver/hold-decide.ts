import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decideHoldUpdate, workflowTypes, type HoldDecision, type HoldOutcome } from '../temporal/messages';
import type { HoldRecord, HoldStore } from './hold-store';
import { holdWorkflowInput, type MassTerminationSettings } from './mass-termination';

export type HoldConflictReason = 'unknown_hold' | 'already_decided' | 'not_a_decider' | 'invalid_decision' | 'not_ready';

/** A decision the hold cannot take; `reason` is a string code (the HTTP answer and the Slack reply follow from it). */
export class HoldConflict extends Error {
  override readonly name = 'HoldConflict';
  constructor(
    message: string,
    readonly reason: HoldConflictReason,
    readonly hold?: HoldRecord,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export type HoldDecider = (holdId: string, d: Omit<HoldDecision, 'decidedAt'> & { decidedAt?: string }) => Promise<HoldOutcome>;

/** What the API needs to start a hold's workflow that is not running (its opener has not started it, or could not). */
export interface HoldStartOptions {
  taskQueue: string;
  settings?: Pick<MassTerminationSettings, 'remindEveryMs' | 'escalateAfterMs' | 'deciders'>;
  fallbackApprovers: readonly string[];
}

/**
 * Hands a decision to the hold's workflow (a validated update: the workflow refuses a second
 * decision and, in Slack, anyone who may not decide); it answers once the decision is recorded.
 * The update starts the hold's workflow when it is not running, so a hold always takes its decision.
 */
export function createHoldDecider(client: Client, store: Pick<HoldStore, 'get'>, start?: HoldStartOptions): HoldDecider {
  return async (holdId, d) => {
    const hold = await store.get(holdId);
    if (!hold) throw new HoldConflict(`no mass-termination hold ${holdId}`, 'unknown_hold');
    if (hold.status !== 'open') throw new HoldConflict(`hold ${holdId} is already ${hold.status}`, 'already_decided', hold);
    const args: [HoldDecision] = [{ ...d, decidedAt: d.decidedAt ?? new Date().toISOString() }];
    try {
      if (!start) return await client.workflow.getHandle(holdId).executeUpdate(decideHoldUpdate, { args });
      const settings = start.settings ?? { remindEveryMs: 0, escalateAfterMs: 0, deciders: [] };
      const startWorkflowOperation = new WithStartWorkflowOperation(workflowTypes.massHold, {
        workflowId: holdId,
        taskQueue: start.taskQueue,
        args: [holdWorkflowInput(holdId, hold.hrSource, settings, start.fallbackApprovers)],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: 'mass-termination hold: one decision for a burst of terminations',
      });
      return await client.workflow.executeUpdateWithStart(decideHoldUpdate, { args, startWorkflowOperation });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        const type = cause instanceof ApplicationFailure ? cause.type : undefined;
        const reason: HoldConflictReason = type === 'already_decided' || type === 'not_a_decider' || type === 'invalid_decision' ? type : 'already_decided';
        throw new HoldConflict(`the hold refused the decision: ${cause?.message ?? err.message}`, reason, await store.get(holdId), { cause: err });
      }
      if (err instanceof WorkflowNotFoundError) {
        throw new HoldConflict(`hold ${holdId} is being set up; try again in a moment`, 'not_ready', hold, { cause: err });
      }
      throw err;
    }
  };
}
