import { proxyActivities } from '@temporalio/workflow';
import type { PollResult, ReconcileActivities } from '../activities/reconcile';
import type { HrSource } from '../src/hris/hr-event';

/**
 * One reconciliation poll of one HRIS, started by its Temporal Schedule. A failing poll retries
 * (the watermark has not moved); the schedule skips its next runs while one is still going.
 */
export async function reconcileWorkflow(input: { source: HrSource }): Promise<PollResult> {
  const { pollHris } = proxyActivities<ReconcileActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '2m',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
    summary: `poll ${input.source} for changes since the watermark`,
  });
  return pollHris(input);
}
