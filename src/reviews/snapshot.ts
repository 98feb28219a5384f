import type { Connector } from '../connectors/types';
import type { WorkerAttributes } from '../hris/hr-event';
import { systemLogin, type MatchByFields } from '../identity/system-login';
import { desiredAccess, type Policy } from '../policy/evaluate';
import { entitlementInScope, type ReviewScope } from './config';
import { reviewItemId, type ReviewStore } from './store';
import { reviewerOf, type NewReviewItem, type SystemSnapshot } from './types';

/** An active worker as HR last described them. */
export interface ReviewWorker {
  hrSource: string;
  employeeId: string;
  attributes: WorkerAttributes;
}

export interface SnapshotInput {
  campaignId: string;
  connector: Connector;
  workers: readonly ReviewWorker[];
  scope: ReviewScope;
  policy: Policy;
  matchBy: MatchByFields | undefined;
  store: ReviewStore;
  /** Workers read at once (the connector's pacer holds the system's own limits). */
  concurrency?: number;
  /** Told how many workers are done, for a heartbeat. */
  progress?: (done: number) => void;
  batchSize?: number;
}

/**
 * Reads one system's access of every active worker in scope, live: the worker's account (by the
 * login the system matches people by), then every entitlement it holds, each marked as given by
 * policy (birthright or rules, named) or granted by hand, and written as a review item for the
 * worker's manager. The system must prove reachable and authorised first, so "no account" is
 * the system's own answer; any failed read throws, so a partial listing is never a snapshot.
 */
export async function snapshotSystem(input: SnapshotInput): Promise<SystemSnapshot> {
  const { connector } = input;
  await connector.checkAccess();
  const batchSize = input.batchSize ?? 500;
  let pending: NewReviewItem[] = [];
  const totals = { accounts: 0, items: 0, noAccount: 0 };
  const flush = async () => {
    const batch = pending;
    pending = [];
    await input.store.addItems(batch);
  };
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (let i = next++; i < input.workers.length; i = next++) {
      const worker = input.workers[i]!;
      const items = await readWorker(input, worker);
      if (items === undefined) totals.noAccount += 1;
      else {
        totals.accounts += 1;
        totals.items += items.length;
        pending.push(...items);
        if (pending.length >= batchSize) await flush();
      }
      input.progress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 8, input.workers.length)) }, lane));
  await flush();
  return { system: connector.id, status: 'succeeded', ...totals };
}

/** A worker's items in this system; undefined when they have no account (or no login) there. */
async function readWorker(input: SnapshotInput, worker: ReviewWorker): Promise<NewReviewItem[] | undefined> {
  const { connector } = input;
  const { login } = systemLogin(worker.attributes, connector.id, input.matchBy);
  if (!login) return undefined;
  const account = await connector.findAccount(login);
  if (!account) return undefined;
  const held = await connector.listEntitlements(account.id);
  const given = new Map(
    desiredAccess(input.policy, worker.attributes)
      .filter((d) => d.system === connector.id)
      .map((d) => [d.entitlement, d.sources.map((s) => s.rule)]),
  );
  const reviewer = reviewerOf(worker.hrSource, worker.attributes.managerId);
  return held
    .filter((entitlement) => entitlementInScope(entitlement, input.scope.entitlements))
    .map((entitlement) => {
      const rules = given.get(entitlement);
      const item = { hrSource: worker.hrSource, employeeId: worker.employeeId, system: connector.id, entitlement };
      return {
        ...item,
        campaignId: input.campaignId,
        itemId: reviewItemId(input.campaignId, item),
        ...(worker.attributes.department ? { department: worker.attributes.department } : {}),
        accountId: account.id,
        basis: rules ? 'policy' : 'hand',
        rules: rules ?? [],
        reviewer,
      } satisfies NewReviewItem;
    });
}
