import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { OrphanActivities, OrphanRunOutcome } from '../activities/orphans';

export interface OrphanRunResult {
  runId: string;
  systems: OrphanRunOutcome[];
  detected: number;
  resolved: number;
  notified: boolean;
}

const { orphanSystems } = proxyActivities<OrphanActivities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 5 },
  summary: 'systems that can list their accounts',
});
const { reconcileOrphans } = proxyActivities<OrphanActivities>({
  // 100,000 accounts take a few minutes at a vendor's pace; the heartbeat shows a listing alive.
  startToCloseTimeout: '2h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '10m', maximumAttempts: 3 },
  summary: 'list the accounts of one system and judge them against HR',
});
const { recordOrphanEvidence } = proxyActivities<OrphanActivities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '5s', maximumInterval: '5m', maximumAttempts: 20 },
  summary: 'evidence of new and resolved orphans',
});
const { notifyOrphans } = proxyActivities<OrphanActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '5m', maximumAttempts: 20 },
  summary: 'tell the security channel',
});

/**
 * One orphan-account reconciliation, started by its Temporal Schedule (daily by default): every
 * system that can list its accounts is listed at once, each on its own (one failing never stops
 * the others and is recorded as failed), then the run's new and resolved orphans go into evidence
 * and the news to the security channel. The workflow ID names the run, so a retried step never
 * records or raises twice.
 */
export async function orphanReconcileWorkflow(): Promise<OrphanRunResult> {
  const runId = workflowInfo().workflowId;
  const systems = await orphanSystems();
  const outcomes = await Promise.all(
    systems.map((system) =>
      reconcileOrphans({ runId, system }).catch((err: unknown): OrphanRunOutcome => ({
        system,
        status: 'failed',
        accounts: 0,
        orphans: 0,
        newOrphans: 0,
        resolved: 0,
        error: failureText(err),
      })),
    ),
  );
  const raised = await recordOrphanEvidence({ runId, outcomes });
  const notified = raised.notice ? await notifyOrphans(raised.notice) : false;
  return { runId, systems: outcomes, detected: raised.detected, resolved: raised.resolved, notified };
}

function failureText(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.message;
  return cause instanceof Error ? cause.message : String(cause);
}
