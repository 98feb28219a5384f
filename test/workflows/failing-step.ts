import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';

/** A step that fails the way a vendor call does: its message names the person it was about. */
export interface FailingStepActivities {
  lookUp(login: string): Promise<void>;
}

const { lookUp } = proxyActivities<FailingStepActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 2, initialInterval: '100ms' },
});

/** Fails with the step's failure as its cause, and a message of its own naming the login too. */
export async function failingStep(login: string): Promise<void> {
  try {
    await lookUp(login);
  } catch (err) {
    throw ApplicationFailure.create({ message: `giving up on ${login}`, cause: err as Error, nonRetryable: true });
  }
}
