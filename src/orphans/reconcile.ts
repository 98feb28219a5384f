/**
 * One system's orphan reconciliation: its accounts are streamed page by page and judged against
 * HR's view (loaded once, in memory as a map by work email), orphans are upserted in batches and
 * open orphans the listing shows resolved are closed. Only a listing that reached its end closes
 * the orphans it did not show; a listing that failed is recorded as failed, never as "no orphans".
 */
import { ConnectorError, UnsupportedError } from '../connectors/errors';
import type { Account, Connector } from '../connectors/types';
import { verdictFor } from './hr-status';
import type { HrView } from './hr-view';
import type { OrphanSighting, OrphanStore } from './store';

export interface ReconcileSystemInput {
  runId: string;
  connector: Connector;
  store: OrphanStore;
  hr: HrView;
  /** The HR field the system's accounts are matched by (identity.hrFields); absent: the work email. */
  matchBy?: string;
  /** The instant the run judges by (first and last seen, how long a termination has been in effect). */
  at: Date;
  /** A termination counts once in effect this long (the leaver's own SLA to finish). */
  graceMs: number;
  /** Accounts judged between writes (default 1000). */
  batchSize?: number;
  /** Called after every page, so a long listing shows it is alive. */
  progress?: (accounts: number) => void;
}

export interface SystemOutcome {
  system: string;
  status: 'succeeded' | 'failed';
  accounts: number;
  /** Open orphans of the system after the run (succeeded only). */
  orphans: number;
  newOrphans: number;
  resolved: number;
  /** Why the listing failed (names the system and IDs, never a login). */
  error?: string;
  /** Whether another attempt may succeed (a 5xx, a timeout, a 429). */
  retryable?: boolean;
  retryAfterMs?: number;
}

export async function reconcileSystem(input: ReconcileSystemInput): Promise<SystemOutcome> {
  const { runId, connector, store, hr, at } = input;
  const system = connector.id;
  const batchSize = input.batchSize ?? 1000;
  const counts = { accounts: 0, orphans: 0, newOrphans: 0, resolved: 0 };
  let sightings: OrphanSighting[] = [];
  let inactive: string[] = [];
  let ownerActive: string[] = [];
  const flush = async () => {
    const [found, gone, claimed] = [sightings, inactive, ownerActive];
    sightings = [];
    inactive = [];
    ownerActive = [];
    counts.newOrphans += await store.recordOrphans(runId, system, at, found);
    counts.resolved += await store.resolve(runId, system, at, gone, 'inactive');
    counts.resolved += await store.resolve(runId, system, at, claimed, 'owner_active');
  };
  const field = input.matchBy;
  const ownerOf = field ? (login: string) => hr.ownerBy(field, login) ?? hr.ownerOf(login) : hr.ownerOf;
  const judge = (account: Account) => {
    counts.accounts += 1;
    const verdict = verdictFor(account, ownerOf, at.getTime(), input.graceMs);
    if (verdict.kind === 'inactive') inactive.push(account.id);
    else if (verdict.kind === 'owner_active') ownerActive.push(account.id);
    else {
      sightings.push({
        accountId: account.id,
        login: account.login,
        hrStatus: verdict.hrStatus,
        reason: verdict.reason,
        ...(verdict.source ? { hrSource: verdict.source } : {}),
        ...(verdict.employeeId ? { employeeId: verdict.employeeId } : {}),
        ...(verdict.orphanedSince !== undefined ? { orphanedSince: new Date(verdict.orphanedSince).toISOString() } : {}),
      });
    }
  };

  await store.startRun(runId, system, at);
  let failure: ConnectorError | undefined;
  try {
    if (!connector.listAccounts) throw new UnsupportedError(system, 'listAccounts');
    for await (const page of connector.listAccounts()) {
      for (const account of page) judge(account);
      if (sightings.length + inactive.length + ownerActive.length >= batchSize) await flush();
      input.progress?.(counts.accounts);
    }
    await flush();
    counts.resolved += await store.resolveUnseen(runId, system, at);
    counts.orphans = await store.countOpen(system);
  } catch (err) {
    if (!(err instanceof ConnectorError)) {
      await store.finishRun({ runId, system, status: 'failed', finishedAt: new Date().toISOString(), ...counts, error: 'internal error (see the worker log)' }).catch(() => undefined);
      throw err;
    }
    failure = err;
    // What was judged before the failure is real: those orphans are kept (nothing is resolved).
    await flush();
  }
  const outcome: SystemOutcome = {
    system,
    status: failure ? 'failed' : 'succeeded',
    ...counts,
    ...(failure
      ? {
          error: `${failure.code}: ${failure.message}`,
          retryable: failure.retryable,
          ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        }
      : {}),
  };
  await store.finishRun({ runId, system, status: outcome.status, finishedAt: new Date().toISOString(), ...counts, ...(outcome.error ? { error: outcome.error } : {}) });
  return outcome;
}
