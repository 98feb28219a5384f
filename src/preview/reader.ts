import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ConnectorError } from '../connectors/errors';
import { abilitiesOf, type Connector } from '../connectors/types';
import { statusQuery, type EmployeeStatus } from '../temporal/messages';
import type { WorkerAttributes } from '../hris/hr-event';
import { systemLogin, workEmailLogin, type MatchByFields } from '../identity/system-login';
import type { EmployeeRef } from './employee-ref';
import type { SystemReading } from './reading';

/** Temporal did not answer (down, no worker to answer the query, deadline passed). */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

const defaultQueryTimeoutMs = 10_000;

/**
 * The worker's state from their entity workflow, or null when there is none. A running workflow
 * answers its status query (a worker must be polling); a finished one's result is that status.
 */
export async function readEmployeeStatus(client: Client, ref: EmployeeRef, timeoutMs = defaultQueryTimeoutMs): Promise<EmployeeStatus | null> {
  const handle = client.workflow.getHandle(ref.workflowId);
  try {
    return await client.withDeadline(Date.now() + timeoutMs, async () => {
      const description = await handle.describe();
      const status = description.status.name === 'COMPLETED' ? ((await handle.result()) as EmployeeStatus) : await handle.query(statusQuery);
      return withDefaults(status);
    });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw new TemporalUnavailableError(`could not read workflow ${ref.workflowId}: ${(err as Error).message}`, { cause: err });
  }
}

/** Runs that finished before the status carried attributes and pending events answer without them. */
function withDefaults(status: EmployeeStatus): EmployeeStatus {
  const partial = status as Partial<EmployeeStatus> & Pick<EmployeeStatus, 'employeeId' | 'source' | 'lifecycle'>;
  return { ...status, worker: partial.worker ?? {}, pending: partial.pending ?? [], pendingEvents: partial.pendingEvents ?? 0 };
}

/**
 * A fresh read of every system, in parallel: the worker's account (looked up by the login that
 * system matches by) and the entitlements it holds. Reads only. A system that fails is reported
 * as failed, not thrown.
 */
export async function readSystems(connectors: ReadonlyMap<string, Connector>, worker: WorkerAttributes, matchBy?: MatchByFields): Promise<SystemReading[]> {
  return Promise.all(
    [...connectors.values()].map(async (connector): Promise<SystemReading> => {
      const base = { system: connector.id, abilities: abilitiesOf(connector) };
      const { login } = systemLogin(worker, connector.id, matchBy);
      if (!login) return { ...base, state: 'no_login' };
      try {
        const account = await connector.findAccount(login);
        // "No account" is shown only once the system has proven reachable and authorised.
        if (!account) await connector.checkAccess();
        const entitlements = account ? await connector.listEntitlements(account.id) : [];
        return { ...base, state: 'read', account: account ? { id: account.id, status: account.status } : null, entitlements };
      } catch (err) {
        const code = err instanceof ConnectorError ? err.code : 'unavailable';
        return { ...base, state: 'failed', error: { code, message: (err as Error).message } };
      }
    }),
  );
}

/** Accounts are matched by work email, lowercased, as the lifecycle workflows do (unless a system matches by an HR field). */
export const loginOf = workEmailLogin;
