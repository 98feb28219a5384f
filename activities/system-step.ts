import type { Connector } from '../src/connectors/types';
import type { HrEvent, HrSource } from '../src/hris/hr-event';
import type { EvidenceInput, Outcome } from '../src/evidence/types';
import type { ActivityDeps } from './deps';
import { ConnectorError } from '../src/connectors/errors';
import { currentRun, recordingFailures } from './step';
import { noLoginReason } from '../src/identity/system-login';

export interface SystemStep {
  system: string;
  /** What the system's accounts are looked up by (src/identity/system-login.ts). */
  login?: string;
  /** The HR field the login came from (identity.hrFields); absent: the work email. */
  matchBy?: string;
  employeeId: string;
  source: HrSource;
  hrEventId: string;
  /** The account's ID when an earlier step of the same workflow already found or created it. */
  accountId?: string;
  /** Tells a repeated step of the same workflow (a re-check) apart, so its evidence is its own. */
  repeat?: string;
}

export interface StepResult {
  system: string;
  outcome: Outcome;
  /** The entitlement the step was about, for grant and revoke steps. */
  entitlement?: string;
  at: string;
  reason?: string;
  /** The account the step acted on, when there is one. */
  accountId?: string;
  /** `not_found` for an account the engine had seen or created before: it vanished. */
  vanished?: boolean;
}

/**
 * What every per-system step shares: the connector, an evidence entry keyed by workflow, action
 * and system, and the account lookup (a missing login is a recorded skip; a missing account is
 * `not_found`, believed only once the system proves reachable and authorised in the same step).
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
      stepKey: `${run.workflowId}:${action}:${step.system}${step.repeat ? `:${step.repeat}` : ''}`,
      employeeId: step.employeeId,
      hrSource: step.source,
      actorType: 'system',
      actorId: 'jml-engine',
      action,
      system: step.system,
      where: connector?.location,
      context: { workflowId: run.workflowId, runId: run.runId, hrEventId: step.hrEventId, ...(step.matchBy ? { matchedBy: step.matchBy } : {}) },
    };
  }

  async function record(entry: Omit<EvidenceInput, 'outcome' | 'occurredAt'>, outcome: Outcome, reason?: string): Promise<StepResult> {
    const at = now().toISOString();
    await deps.evidence.append({ ...entry, outcome, occurredAt: at, context: { ...entry.context, ...(reason ? { reason } : {}) } });
    return { system: entry.system ?? '', outcome, at, ...(entry.entitlement ? { entitlement: entry.entitlement } : {}), ...(reason ? { reason } : {}) };
  }

  /**
   * Runs fn on the worker's account in a system. A missing login is a recorded skip; an account
   * that is not there (not found by login, or gone under its ID) is `not_found`.
   */
  async function onAccount(
    step: SystemStep,
    action: string,
    fn: (connector: Connector, accountId: string, entry: ReturnType<typeof base>) => Promise<StepResult>,
  ): Promise<StepResult> {
    const connector = connectorFor(step.system);
    const entry = base(step, action, connector);
    if (!step.login && !step.accountId) return record(entry, 'skipped', noLoginReason(step.matchBy, 'match accounts by'));
    return recordingFailures(deps, entry, async () => {
      const account = step.accountId ? { id: step.accountId } : await connector.findAccount(step.login as string);
      if (!account) return absent(connector, step, entry, false);
      const bound = { ...entry, context: { ...entry.context, accountId: account.id } };
      try {
        return { ...(await fn(connector, account.id, bound)), accountId: account.id };
      } catch (err) {
        if (err instanceof ConnectorError && err.code === 'not_found') return absent(connector, step, entry, true);
        throw err;
      }
    });
  }

  /**
   * "No such account" counts only when the same system proves reachable and authorised now: a
   * wrong base URL, a gateway answering 404 or a revoked token make this throw, and the step is
   * retried as a failure. An account the engine had seen before is flagged as vanished.
   */
  async function absent(connector: Connector, step: SystemStep, entry: ReturnType<typeof base>, hadAccount: boolean): Promise<StepResult> {
    await connector.checkAccess();
    const seen = hadAccount || (await deps.evidence.accountSeen?.({ hrSource: step.source, employeeId: step.employeeId, system: step.system })) === true;
    if (seen) deps.log.warn({ employeeId: step.employeeId, system: step.system, action: entry.action }, 'an account the engine knew of is absent now');
    const reason = seen ? 'the account the engine knew of is absent now' : 'no account in this system';
    const result = await record({ ...entry, context: { ...entry.context, ...(seen ? { previouslySeen: true } : {}) } }, 'not_found', reason);
    return seen ? { ...result, vanished: true } : result;
  }

  /** A workflow-level milestone (leaver.completed, joiner.provisioned, ...), once per workflow. */
  async function milestone(
    action: string,
    plan: { employeeId: string; source: HrSource; hrEventId: string },
    outcome: Outcome,
    detail: Record<string, unknown> = {},
    occurredAt?: string,
  ): Promise<string> {
    const run = currentRun();
    const at = occurredAt ?? now().toISOString();
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

  return { now, connectorFor, base, record, onAccount, absent, milestone, hrStarted };
}
