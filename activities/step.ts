import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../src/connectors/errors';
import { safeErrorText } from '../src/intake/safe-error';
import type { EvidenceInput } from '../src/evidence/types';
import type { ActivityDeps } from './deps';

/** Identity of the running workflow, for evidence context and idempotent step keys. */
export function currentRun(): { workflowId: string; runId: string; attempt: number } {
  const info = Context.current().info;
  const execution = info.workflowExecution;
  if (!execution) throw new Error('activity is not running on behalf of a workflow');
  return { workflowId: execution.workflowId, runId: execution.runId, attempt: info.attempt };
}

/** Failures are recorded on the first attempts and then every tenth, so a long outage stays readable. */
export function shouldRecordFailure(attempt: number): boolean {
  return attempt <= 3 || attempt % 10 === 0;
}

/**
 * Runs one effectful step; on failure writes a failure evidence event (once per recorded
 * attempt) and rethrows as a Temporal failure that carries the connector's error code and, for
 * 429s, the wait the system asked for.
 */
export async function recordingFailures<T>(
  deps: ActivityDeps,
  failure: Omit<EvidenceInput, 'stepKey' | 'outcome' | 'occurredAt'> & { stepKey: string },
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const { attempt } = currentRun();
    const code = err instanceof ConnectorError ? err.code : 'error';
    // Never the row a database error quotes, nor an address a message carries.
    const message = safeErrorText(err);
    if (shouldRecordFailure(attempt)) {
      await deps.evidence
        .append({
          ...failure,
          stepKey: `${failure.stepKey}:failure:${attempt}`,
          outcome: 'failure',
          occurredAt: (deps.now?.() ?? new Date()).toISOString(),
          context: { ...failure.context, reason: `${code}: ${message}`, attempt },
        })
        .catch((e: unknown) => deps.log.error({ err: e }, 'could not record failure evidence'));
    }
    deps.log.warn({ action: failure.action, system: failure.system, attempt, code }, message);
    throw ApplicationFailure.create({
      message,
      type: code,
      nonRetryable: false,
      nextRetryDelay: err instanceof ConnectorError && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined,
    });
  }
}
