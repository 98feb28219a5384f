import { condition, getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { othersStoppedSignal, type WithdrawReason } from '../src/temporal/messages';

export interface Withdrawal {
  reason: WithdrawReason;
  hrEventId: string;
  leaverWorkflowId?: string;
}

/**
 * The access-changing steps of a joiner or mover (create, grant, enable, revoke) pass through
 * here: once the workflow is withdrawn no new one starts, and the leaver is told when the last
 * one in flight has finished, so its fresh reads see everything that was granted.
 */
export class AccessGate {
  private inFlight = 0;
  withdrawn?: Withdrawal;

  /** Runs the step unless withdrawn (then it is not run: undefined). */
  async run<T>(step: () => Promise<T>): Promise<T | undefined> {
    if (this.withdrawn) return undefined;
    this.inFlight += 1;
    try {
      return await step();
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The withdraw signal's handler: stop, wait for the steps in flight, tell the leaver. */
  async withdraw(w: Withdrawal): Promise<void> {
    if (this.withdrawn) return;
    this.withdrawn = w;
    await condition(() => this.inFlight === 0);
    if (!w.leaverWorkflowId) return;
    await getExternalWorkflowHandle(w.leaverWorkflowId)
      .signal(othersStoppedSignal, { stopped: 1 })
      .catch((err: unknown) => log.warn('could not tell the leaver that this workflow stopped', { error: String(err) }));
  }
}
