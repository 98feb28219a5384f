import type { Queryable } from '../../src/db/database';
import { postBambooWebhook, terminationDelivery } from './bamboohr';
import type { Targets } from './targets';

/** Groups every leaver of a batch is in, in both systems, before the termination. */
export const leaverGroups = ['engineering', 'prod-readonly'];

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

export const loginOf = (id: string) => `leaver.${id}@acme.test`;

/** IDs `from`, `from + 1`, ... as BambooHR numbers employees. */
export function employeeIds(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i));
}

export function seedLeavers(targets: Targets, ids: string[]): void {
  for (const id of ids) targets.seedWorker(loginOf(id), leaverGroups);
}

export interface Delivery {
  /** Every answer, in order (a delivery the engine did not take is sent again, as BambooHR does). */
  statuses: number[];
  accepted: boolean;
}

/** Sends one signed termination; on anything but 202 (or a network error, status 0) sends it again until `deadline`. */
export async function deliverTermination(url: string, id: string, deadline: number, retryEveryMs = 1000): Promise<Delivery> {
  const delivery = terminationDelivery(id, loginOf(id), yesterday());
  const statuses: number[] = [];
  for (;;) {
    let status: number;
    try {
      status = (await postBambooWebhook(url, delivery)).status;
    } catch {
      status = 0;
    }
    statuses.push(status);
    if (status === 202) return { statuses, accepted: true };
    if (Date.now() > deadline) return { statuses, accepted: false };
    await new Promise((r) => setTimeout(r, retryEveryMs));
  }
}

/** Delivers terminations for all `ids`, `concurrency` at a time, each retried until accepted. */
export async function deliverAll(url: string, ids: string[], options: { concurrency?: number; deadline: number; spacingMs?: number }): Promise<Map<string, Delivery>> {
  const results = new Map<string, Delivery>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 4 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        results.set(id, await deliverTermination(url, id, options.deadline));
        if (options.spacingMs) await new Promise((r) => setTimeout(r, options.spacingMs));
      }
    }),
  );
  return results;
}

/** How many of `ids` have `leaver.completed` in the evidence (undefined while the database is away). */
export async function completedCount(db: Queryable, ids: string[]): Promise<number | undefined> {
  try {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(DISTINCT employee_id) AS n FROM evidence_events WHERE action = 'leaver.completed' AND employee_id = ANY($1)`,
      [ids],
    );
    return Number(rows[0]!.n);
  } catch {
    return undefined;
  }
}

/** Waits until every leaver of `ids` has completed; returns the time it took. Throws, with the count, at the deadline. */
export async function waitAllCompleted(db: Queryable, ids: string[], timeoutMs: number, onTick?: () => Promise<void>): Promise<number> {
  const started = Date.now();
  let last: number | undefined;
  for (;;) {
    last = (await completedCount(db, ids)) ?? last;
    if (last === ids.length) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${last ?? '?'} of ${ids.length} leavers completed after ${timeoutMs} ms`);
    await onTick?.();
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The steps every leaver of a batch writes exactly once (with Okta and a SCIM system called aws). */
export const leaverSteps = [
  'hr_event.received',
  'leaver.started',
  'sessions.kill@okta',
  'account.disable@okta',
  'account.disable@aws',
  'entitlements.held@okta',
  'entitlements.held@aws',
  'entitlements.revoke_all@okta',
  'entitlements.revoke_all@aws',
  ...leaverGroups.flatMap((g) => [`entitlement.revoke@okta:group:${g}`, `entitlement.revoke@aws:group:${g}`]),
  'leaver.sessions_killed',
  'leaver.completed',
];

/** One evidence event as the anomaly check reads it. */
export interface StepRow {
  employeeId: string;
  action: string;
  system?: string | null;
  entitlement?: string | null;
  outcome: string;
}

/**
 * Per employee and step (action, system, entitlement), how many evidence events there are, not
 * counting recorded failed attempts: the steps of `expected` that are missing or more than once,
 * and any other step written more than once.
 */
export function anomaliesIn(rows: StepRow[], ids: string[], expected: string[] = leaverSteps): string[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.outcome === 'failure') continue;
    const key = `${r.employeeId} ${r.action}${r.system ? `@${r.system}` : ''}${r.entitlement ? `:${r.entitlement}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const anomalies: string[] = [];
  for (const id of ids) {
    for (const step of expected) {
      const n = counts.get(`${id} ${step}`) ?? 0;
      if (n !== 1) anomalies.push(`${id} ${step} x${n}`);
    }
  }
  for (const [key, n] of counts) if (n > 1 && !expected.some((s) => key.endsWith(` ${s}`))) anomalies.push(`${key} x${n}`);
  return anomalies;
}

/** anomaliesIn over the evidence table. */
export async function evidenceAnomalies(db: Queryable, ids: string[], expected: string[] = leaverSteps): Promise<string[]> {
  const { rows } = await db.query<StepRow>(
    `SELECT employee_id AS "employeeId", action, system, entitlement, outcome FROM evidence_events WHERE employee_id = ANY($1)`,
    [ids],
  );
  return anomaliesIn(rows, ids, expected);
}

/** Leavers whose access the peers still show: live sessions, an active account, a group left. */
export function revocationsMissed(targets: Targets, ids: string[]): string[] {
  const missed: string[] = [];
  for (const id of ids) {
    const login = loginOf(id);
    const okta = targets.okta.user(login);
    const scim = targets.scim.user(login);
    if (targets.okta.sessionsOf(login) > 0) missed.push(`${id} okta sessions`);
    if (okta?.status !== 'SUSPENDED') missed.push(`${id} okta ${okta?.status ?? 'missing'}`);
    if (okta?.groups.some((g) => g !== 'Everyone')) missed.push(`${id} okta groups`);
    if (scim?.active !== false) missed.push(`${id} aws active`);
    if ((scim?.groups.length ?? 0) > 0) missed.push(`${id} aws groups`);
  }
  return missed;
}
