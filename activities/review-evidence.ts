import type { ActivityDeps } from './deps';
import { currentRun } from './step';

/**
 * Evidence of a campaign's own steps (opened, read, asked, reminded, closed...), keyed by the
 * campaign (`campaign:<id>`, HR source `none`) and the step, so a retried step writes once.
 */
export function campaignEvidence(deps: Pick<ActivityDeps, 'evidence' | 'connectors' | 'now'>) {
  return (campaignId: string, action: string, key: string, outcome: 'success' | 'failure', context: Record<string, unknown>, where?: { system?: string; slack?: boolean }) => {
    const run = currentRun();
    const system = where?.system;
    return deps.evidence.append({
      stepKey: `${action}:${campaignId}${key ? `:${key}` : ''}`,
      employeeId: `campaign:${campaignId}`,
      hrSource: 'none',
      actorType: 'engine',
      actorId: 'jml-engine',
      action,
      ...(system ? { system, where: deps.connectors.get(system)?.location } : where?.slack ? { where: 'slack' } : {}),
      occurredAt: (deps.now?.() ?? new Date()).toISOString(),
      outcome,
      context: { workflowId: run.workflowId, runId: run.runId, campaignId, ...context },
    });
  };
}
