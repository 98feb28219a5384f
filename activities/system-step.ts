import type { Connector } from '../src/connectors/types';
import type { HrEvent, HrSource } from '../src/hris/hr-event';
import type { EvidenceInput, Outcome } from '../src/evidence/types';
import type { ActivityDeps } from './deps';
import { currentRun, recordingFailures } from './step';

export interface SystemStep {
  system: string;
  login?: string;
  employeeId: string;
  source: HrSource;
  hrEventId: string;
  /** The account's ID when an earlier step of the same workflow already found or created it. */
  accountId?: string;
}

export interface StepResult {
  system: string;
  outcome: Outcome;
  at: string;
  reason?: string;
  /** The account the step acted on, when there is one. */
  accountId?: string;
}

/**
 * What every per-system step shares: the connector, an evidence entry keyed by workflow, action
 * and system, and the account lookup (a missing login or account is a recorded skip).
 */
export function createSystemStepTools(deps: ActivityDeps) {
  const now = () => deps.now?.() ?? new Date();

  function connectorFor(system: string): Connector {
    const connector = deps.connectors.get(system);
    if (!connector) throw new Error(`system "${system}" is not configured`);
    return connector;
  }

  function base(step: SystemStep, action: string, connector?: Connector): Omit<EvidenceInput, 'outcome' | 'occurredAt'> {
    const run = currentRun();
    return {
      stepKey: `${run.workflowId}:${action}:${step.system}`,
      employeeId: step.employeeId,
      hrSource: step.source,
      actorType: 'system',
      actorId: 'jml-engine',
      action,
      system: step.system,
      where: connector?.location,
      context: { workflowId: run.workflowId, runId: run.runId, hrEventId: step.hrEventId },
    };
  }

  async function record(entry: Omit<EvidenceInput, 'outcome' | 'occurredAt'>, outcome: Outcome, reason?: string): Promise<StepResult> {
    const at = now().toISOString();
    await deps.evidence.append({ ...entry, outcome, occurredAt: at, context: { ...entry.context, ...(reason ? { reason } : {}) } });
    return { system: entry.system ?? '', outcome, at, ...(reason ? { reason } : {}) };
  }

  /** Runs fn on the worker's account in a system; a missing login or account is a recorded skip. */
  async function onAccount(
    step: SystemStep,
    action: string,
    fn: (connector: Connector, accountId: string, entry: ReturnType<typeof base>) => Promise<StepResult>,
  ): Promise<StepResult> {
    const connector = connectorFor(step.system);
    const entry = base(step, action, connector);
    if (!step.login) return record(entry, 'skipped', 'HR record has no work email to match accounts by');
    return recordingFailures(deps, entry, async () => {
      const account = step.accountId ? { id: step.accountId } : await connector.findAccount(step.login as string);
      if (!account) return record(entry, 'skipped', 'no account in this system');
      return fn(connector, account.id, entry);
    });
  }

  /** A workflow-level milestone (leaver.completed, joiner.provisioned, ...), once per workflow. */
  async function milestone(
    action: string,
    plan: { employeeId: string; source: HrSource; hrEventId: string },
    outcome: Outcome,
    detail: Record<string, unknown> = {},
  ): Promise<string> {
    const run = currentRun();
    const at = now().toISOString();
    await deps.evidence.append({
      stepKey: `${run.workflowId}:${action}`,
      employeeId: plan.employeeId,
      hrSource: plan.source,
      actorType: 'engine',
      actorId: 'jml-engine',
      action,
      occurredAt: at,
      outcome,
      context: { workflowId: run.workflowId, runId: run.runId, hrEventId: plan.hrEventId, ...detail },
    });
    return at;
  }

  /** The HR-driven start of a lifecycle workflow (joiner.started, leaver.started), once per workflow. */
  async function hrStarted(action: string, event: HrEvent, at: Date, ok: boolean, detail: Record<string, unknown>): Promise<void> {
    const run = currentRun();
    await deps.evidence.append({
      stepKey: `${run.workflowId}:${action}`,
      employeeId: event.employeeId,
      hrSource: event.source,
      actorType: 'hr',
      actorId: event.source,
      action,
      occurredAt: at.toISOString(),
      where: event.sourceIp,
      outcome: ok ? 'success' : 'failure',
      context: { workflowId: run.workflowId, runId: run.runId, hrEventId: event.eventId, ...detail },
    });
  }

  return { now, connectorFor, base, record, onAccount, milestone, hrStarted };
}
