/**
 * HR's word on each worker, as the engine has received it (the inbox of HR events), and what it
 * makes of an account: pure functions, fed the events of every worker in the order the engine
 * applies them (the inbox's own order).
 *
 * Employment status comes from the lifecycle events alone (hire, rehire, terminate, rescind): a
 * `change` after a termination (HR tidying a leaver's record) does not bring the worker back. A
 * rescind undoes the lifecycle event before it: a termination withdrawn leaves the worker as they
 * were, a hire withdrawn leaves someone HR no longer counts as a worker ('rescinded').
 */
import type { LifecycleKind, WorkerAttributes } from '../hris/hr-event';
import { terminationTakesEffectAt, workerTimeZone } from '../leaver/timing';

/** One inbox row, reduced to what the status needs (no names, only the work email to match by). */
export interface HrLifecycleRow {
  source: string;
  employeeId: string;
  kind: LifecycleKind;
  receivedAt: string;
  effectiveDate?: string;
  immediate: boolean;
  timeZone?: string;
  workEmail?: string;
}

type Employment = 'none' | 'active' | 'terminated' | 'rescinded';

export interface WorkerHr {
  source: string;
  employeeId: string;
  employment: Employment;
  /** terminated: when the termination takes (took) effect; rescinded: when the hire was withdrawn (epoch ms). */
  since?: number;
  /** What the last lifecycle event replaced, for a rescind to restore. */
  previous?: { employment: Employment; since?: number };
  /** The latest attributes HR sent (loaded only when asked for). */
  attributes?: WorkerAttributes;
}

/** At work at `nowMs`: hired (and not rescinded), not yet gone. */
export function isActiveAt(worker: WorkerHr, nowMs: number): boolean {
  return worker.employment === 'active' || (worker.employment === 'terminated' && worker.since !== undefined && worker.since > nowMs);
}

export interface TimingDefaults {
  cutoffLocalTime: string;
  defaultTimeZone: string;
}

/** Applies one event to a worker's state (mutating it). */
export function applyHrEvent(worker: WorkerHr, row: HrLifecycleRow, timing: TimingDefaults): void {
  const received = Date.parse(row.receivedAt);
  const snapshot = { employment: worker.employment, ...(worker.since !== undefined ? { since: worker.since } : {}) };
  switch (row.kind) {
    case 'hire':
    case 'rehire':
      worker.previous = snapshot;
      worker.employment = 'active';
      delete worker.since;
      return;
    case 'terminate': {
      worker.previous = snapshot;
      worker.employment = 'terminated';
      const zone = workerTimeZone(row.timeZone, timing.defaultTimeZone);
      const timingOf = { immediate: row.immediate, timeZone: zone, cutoffLocalTime: timing.cutoffLocalTime, ...(row.effectiveDate ? { effectiveDate: row.effectiveDate } : {}) };
      worker.since = safeTime(() => terminationTakesEffectAt(timingOf, new Date(received)).getTime(), received);
      return;
    }
    case 'rescind': {
      const undone = worker.previous;
      delete worker.previous;
      if (undone && undone.employment !== 'none') {
        worker.employment = undone.employment;
        if (undone.since !== undefined) worker.since = undone.since;
        else delete worker.since;
        return;
      }
      // A withdrawn first hire, or a rescind as HR's first word: HR does not count them as a worker.
      // Nothing known to undo for a worker HR otherwise counts: they stay as they are.
      if (undone || worker.employment === 'none') {
        worker.employment = 'rescinded';
        worker.since = received;
      }
      return;
    }
    case 'change':
      if (worker.employment === 'none') worker.employment = 'active';
      return;
  }
}

/** An undated or malformed date falls back to the receipt, as the leaver acts on it at once. */
function safeTime(compute: () => number, fallback: number): number {
  try {
    const at = compute();
    return Number.isNaN(at) ? fallback : at;
  } catch {
    return fallback;
  }
}

export type OrphanReason = 'left' | 'hire_rescinded' | 'unknown_to_hr';
export type OrphanHrStatus = 'terminated' | 'rescinded' | 'unknown';

export type AccountVerdict =
  | { kind: 'inactive' }
  | { kind: 'owner_active' }
  | { kind: 'orphan'; hrStatus: OrphanHrStatus; reason: OrphanReason; orphanedSince?: number; source?: string; employeeId?: string };

/**
 * What HR's view makes of an account that is `active` in its system. The owner is the worker whose
 * work email is the account's login (the identity the engine looks accounts up by), else its email.
 * A termination counts once it has been in effect for `graceMs` (the leaver's own SLA to finish),
 * so a leaver still at work is not reported.
 */
export function verdictFor(
  account: { status: string; login: string; email?: string },
  ownerOf: (email: string) => WorkerHr | undefined,
  nowMs: number,
  graceMs: number,
): AccountVerdict {
  if (account.status !== 'active') return { kind: 'inactive' };
  const owner = ownerOf(normalEmail(account.login)) ?? (account.email ? ownerOf(normalEmail(account.email)) : undefined);
  if (!owner || owner.employment === 'none') return { kind: 'orphan', hrStatus: 'unknown', reason: 'unknown_to_hr' };
  const who = { source: owner.source, employeeId: owner.employeeId };
  if (owner.employment === 'terminated' && owner.since !== undefined && owner.since + graceMs <= nowMs) {
    return { kind: 'orphan', hrStatus: 'terminated', reason: 'left', orphanedSince: owner.since, ...who };
  }
  if (owner.employment === 'rescinded') return { kind: 'orphan', hrStatus: 'rescinded', reason: 'hire_rescinded', ...(owner.since !== undefined ? { orphanedSince: owner.since } : {}), ...who };
  return { kind: 'owner_active' };
}

/** Work emails and logins are matched lower-cased and trimmed, as the engine looks accounts up. */
export function normalEmail(value: string): string {
  return value.trim().toLowerCase();
}
