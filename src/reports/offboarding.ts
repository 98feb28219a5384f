import { canonicalJson } from '../evidence/hash';
import type { EvidenceRecord } from '../evidence/types';

/**
 * Offboarding timeliness report: one row per leaver run, built only from evidence.
 *
 * Rules (what an auditor reads the numbers against):
 *  - A leaver run is the events sharing one context.workflowId, anchored by its
 *    `leaver.started` event; a run is in the window when terminationEffectiveAt is in [from, to).
 *  - The SLA clock starts at the later of terminationEffectiveAt and hrEventReceivedAt.
 *  - A further termination that brought the leaver forward (`leaver.rescheduled`) replaces the
 *    clock inputs of `leaver.started`: the latest one counts.
 *  - sessionsKilledAt is when the last system's sessions ended (`leaver.sessions_killed` carries
 *    it; older runs: that event's time), accessRevokedAt is `leaver.completed` (either only
 *    when not a failure). Seconds are measured from the clock start, with millisecond
 *    precision; a step done before the clock started counts as 0.
 *  - Per system, outcome says how its sessions ended: `killed` (a session kill succeeded),
 *    `disabled` (no session call: the account was disabled), `not_found` (no account, once the
 *    system proved reachable), `failed` (a step's last word is a failure, or HR gave no login to
 *    find the account by), `pending` (not yet). sessionsKilledAt is that moment.
 *  - withinSla: true/false once sessions are killed; false when they are not killed and the
 *    deadline has passed at `asOf`; null while still inside the SLA (or with no SLA recorded).
 *  - A leaver a mass-termination hold held (`leaver.held`) carries `hold` with its status: held
 *    (undecided: open, with an exception saying so), released (then as any leaver), or aborted
 *    (`leaver.hold_aborted`: accounts left enabled on purpose; never completed, not open).
 *    Systems whose sessions the hold kept back show `held`, or `aborted` once aborted.
 *  - withinSlaShare counts only decided leavers (withinSla not null); percentiles are
 *    nearest-rank over the leavers whose sessions are killed; open = not yet fully revoked.
 */

export type SystemOutcome = 'killed' | 'disabled' | 'not_found' | 'failed' | 'pending' | 'held' | 'aborted';

/** A leaver held by a mass-termination hold: still waiting, released, or aborted (accounts left enabled). */
export interface LeaverHoldState {
  holdId: string;
  status: 'held' | 'released' | 'aborted';
  decidedBy?: string;
  decidedAt?: string;
}

export interface SystemTiming {
  sessionsKilledAt: string | null;
  disabledAt: string | null;
  outcome: SystemOutcome;
}

export interface LeaverRow {
  employeeId: string;
  hrSource: string;
  terminationEffectiveAt: string;
  hrEventReceivedAt: string;
  sessionsKilledAt: string | null;
  accessRevokedAt: string | null;
  secondsToSessionsKilled: number | null;
  secondsToFullRevoke: number | null;
  slaSeconds: number | null;
  withinSla: boolean | null;
  systems: Record<string, SystemTiming>;
  exceptions: string[];
  approvals: unknown[];
  /** Set only for a leaver a mass-termination hold held. */
  hold?: LeaverHoldState;
}

export interface OffboardingSummary {
  count: number;
  /** Fraction 0..1 of decided leavers within the SLA; null when none is decided. */
  withinSlaShare: number | null;
  p50Seconds: number | null;
  p95Seconds: number | null;
  maxSeconds: number | null;
  open: number;
  /** Leavers a mass-termination hold still holds (part of open). */
  held: number;
  /** Leavers whose hold was aborted: accounts left enabled on purpose, so neither revoked nor open. */
  aborted: number;
  /** Terminations withdrawn before they took effect: not leavers, so not in the rows above. */
  rescinded: number;
}

export interface OffboardingReport {
  from: string;
  to: string;
  summary: OffboardingSummary;
  leavers: LeaverRow[];
}

export interface ReportWindow {
  /** Inclusive start, ISO-8601 UTC. */
  from: string;
  /** Exclusive end, ISO-8601 UTC. */
  to: string;
  /** The moment the report describes: decides whether a pending leaver is already late. */
  asOf: string;
}

const perSystemActions = new Set(['sessions.kill', 'account.disable', 'entitlement.revoke', 'entitlements.revoke_all']);

export function buildOffboardingReport(events: readonly EvidenceRecord[], window: ReportWindow): OffboardingReport {
  const runs = runsOf(events);

  const fromMs = Date.parse(window.from);
  const toMs = Date.parse(window.to);
  const asOfMs = Date.parse(window.asOf);
  const leavers: LeaverRow[] = [];
  let rescinded = 0;
  for (const run of runs.values()) {
    const judged = judgeRun(run, asOfMs);
    if (!judged) continue;
    const effectiveMs = Date.parse(judged.row.terminationEffectiveAt);
    if (effectiveMs < fromMs || effectiveMs >= toMs) continue;
    if (judged.rescinded) rescinded++;
    else leavers.push(judged.row);
  }
  return assembleReport(window, leavers, rescinded);
}

/** Events grouped by the run (context.workflowId) that wrote them, each run in seq order. */
export function runsOf(events: readonly EvidenceRecord[]): Map<string, EvidenceRecord[]> {
  const runs = new Map<string, EvidenceRecord[]>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const workflowId = event.context.workflowId;
    if (typeof workflowId !== 'string') continue;
    const run = runs.get(workflowId);
    if (run) run.push(event);
    else runs.set(workflowId, [event]);
  }
  return runs;
}

/** One leaver run's row as of a moment, and whether its termination was withdrawn; undefined for a run that is not a leaver's. */
export function judgeRun(run: readonly EvidenceRecord[], asOfMs: number): { row: LeaverRow; rescinded: boolean } | undefined {
  const row = leaverRow(run, asOfMs);
  return row ? { row, rescinded: run.some((e) => e.action === 'leaver.rescinded') } : undefined;
}

/** The report from its rows (in any order) and the count of withdrawn terminations. */
export function assembleReport(window: Omit<ReportWindow, 'asOf'>, leavers: LeaverRow[], rescinded: number): OffboardingReport {
  // By code unit, not locale: the order is the same everywhere, and 100,000 rows sort in milliseconds.
  const byCodeUnit = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  leavers.sort((a, b) => byCodeUnit(a.terminationEffectiveAt, b.terminationEffectiveAt) || byCodeUnit(a.employeeId, b.employeeId));
  return { from: window.from, to: window.to, summary: summarise(leavers, rescinded), leavers };
}

/**
 * Workflow IDs of the leaver runs whose termination took effect in [from, to), from their
 * `leaver.started` events and any `leaver.rescheduled` ones (a later one brought forward counts).
 */
export function leaverRunsInWindow(starts: readonly EvidenceRecord[], window: Omit<ReportWindow, 'asOf'>): string[] {
  const fromMs = Date.parse(window.from);
  const toMs = Date.parse(window.to);
  const byRun = new Map<string, { started?: EvidenceRecord; rescheduled?: EvidenceRecord }>();
  for (const e of [...starts].sort((a, b) => a.seq - b.seq)) {
    const workflowId = e.context.workflowId;
    if (typeof workflowId !== 'string') continue;
    const run = byRun.get(workflowId) ?? {};
    if (e.action === 'leaver.started') run.started = e;
    else if (e.action === 'leaver.rescheduled') run.rescheduled = e;
    byRun.set(workflowId, run);
  }
  const ids: string[] = [];
  for (const [workflowId, run] of byRun) {
    if (!run.started) continue;
    const effectiveMs = Date.parse(clockFacts(run.started, run.rescheduled).terminationEffectiveAt);
    if (effectiveMs >= fromMs && effectiveMs < toMs) ids.push(workflowId);
  }
  return ids;
}

/** Nearest-rank percentile of ascending values: the ceil(p/100 * n)-th smallest. */
export function nearestRank(sorted: readonly number[], percentile: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

function leaverRow(run: readonly EvidenceRecord[], asOfMs: number): LeaverRow | undefined {
  const started = run.find((e) => e.action === 'leaver.started');
  if (!started) return undefined;
  const exceptions: string[] = [];
  const facts = clockFacts(started, run.filter((e) => e.action === 'leaver.rescheduled').at(-1));
  exceptions.push(...facts.notes);
  const clockStartMs = Math.max(Date.parse(facts.terminationEffectiveAt), Date.parse(facts.hrEventReceivedAt));

  const hold = holdState(run);
  const systems = systemTimings(run, started, hold);
  if (hold?.status === 'held') exceptions.push(`held by mass-termination hold ${hold.holdId}: disabling and revoking wait for a decision`);
  const sessionsKilledAt = sessionsEnded(run, systems);
  const accessRevokedAt = firstDone(run, 'leaver.completed');
  const secondsToSessionsKilled = secondsSince(clockStartMs, sessionsKilledAt);
  const secondsToFullRevoke = secondsSince(clockStartMs, accessRevokedAt);
  const slaSeconds = nonNegativeNumber(started.context.slaSeconds);
  const fullRevokeSlaSeconds = nonNegativeNumber(started.context.fullRevokeSlaSeconds);
  if (slaSeconds === null) exceptions.push('slaSeconds missing in leaver.started');

  let withinSla: boolean | null = null;
  if (slaSeconds !== null) {
    if (sessionsKilledAt !== null) withinSla = Date.parse(sessionsKilledAt) - clockStartMs <= slaSeconds * 1000;
    else if (asOfMs > clockStartMs + slaSeconds * 1000) withinSla = false;
  }

  exceptions.push(...eventExceptions(run));
  const breachRecorded = run.some((e) => e.outcome === 'sla_breach');
  if (withinSla === false && !breachRecorded) {
    exceptions.push(
      sessionsKilledAt === null
        ? `sessions not killed within ${slaSeconds}s (no breach event recorded)`
        : `sessions killed after ${secondsToSessionsKilled}s, SLA ${slaSeconds}s (no breach event recorded)`,
    );
  }
  if (fullRevokeSlaSeconds !== null) {
    const lateDone = secondsToFullRevoke !== null && secondsToFullRevoke > fullRevokeSlaSeconds;
    const lateOpen = accessRevokedAt === null && hold?.status !== 'aborted' && asOfMs > clockStartMs + fullRevokeSlaSeconds * 1000;
    if (lateDone) exceptions.push(`full revoke took ${secondsToFullRevoke}s, SLA ${fullRevokeSlaSeconds}s`);
    if (lateOpen) exceptions.push(`access not fully revoked within ${fullRevokeSlaSeconds}s`);
  }

  return {
    employeeId: started.employeeId,
    hrSource: started.hrSource,
    terminationEffectiveAt: facts.terminationEffectiveAt,
    hrEventReceivedAt: facts.hrEventReceivedAt,
    sessionsKilledAt,
    accessRevokedAt,
    secondsToSessionsKilled,
    secondsToFullRevoke,
    slaSeconds,
    withinSla,
    systems,
    exceptions: [...new Set(exceptions)],
    approvals: approvals(run),
    ...(hold ? { hold } : {}),
  };
}

function holdState(run: readonly EvidenceRecord[]): LeaverHoldState | undefined {
  const held = run.find((e) => e.action === 'leaver.held');
  if (!held || typeof held.context.holdId !== 'string') return undefined;
  const decided = run.find((e) => e.action === 'leaver.hold_released' || e.action === 'leaver.hold_aborted');
  if (!decided) return { holdId: held.context.holdId, status: 'held' };
  const by = typeof decided.context.decidedBy === 'string' ? { decidedBy: decided.context.decidedBy } : {};
  const at = isoOrNull(decided.context.decidedAt);
  return { holdId: held.context.holdId, status: decided.action === 'leaver.hold_released' ? 'released' : 'aborted', ...by, ...(at ? { decidedAt: at } : {}) };
}

interface ClockFacts {
  terminationEffectiveAt: string;
  hrEventReceivedAt: string;
  notes: string[];
}

/**
 * The two clock inputs, from the latest termination that set them; a missing one falls back
 * (and says so) rather than drop the leaver.
 */
function clockFacts(started: EvidenceRecord, rescheduled?: EvidenceRecord): ClockFacts {
  const notes: string[] = [];
  const moved = rescheduled && isoOrNull(rescheduled.context.terminationEffectiveAt) !== null ? rescheduled : undefined;
  if (moved) {
    const received = isoOrNull(moved.context.hrEventReceivedAt) ?? moved.occurredAt;
    return { terminationEffectiveAt: isoOrNull(moved.context.terminationEffectiveAt) as string, hrEventReceivedAt: received, notes };
  }
  let received = isoOrNull(started.context.hrEventReceivedAt);
  if (received === null) {
    notes.push('hrEventReceivedAt missing: leaver.started time used');
    received = started.occurredAt;
  }
  let effective = isoOrNull(started.context.terminationEffectiveAt);
  if (effective === null) {
    notes.push('terminationEffectiveAt missing: hrEventReceivedAt used');
    effective = received;
  }
  return { terminationEffectiveAt: effective, hrEventReceivedAt: received, notes };
}

function systemTimings(run: readonly EvidenceRecord[], started: EvidenceRecord, hold?: LeaverHoldState): Record<string, SystemTiming> {
  const declared = Array.isArray(started.context.systems)
    ? started.context.systems.filter((s): s is string => typeof s === 'string')
    : [];
  const names = new Set(declared);
  for (const e of run) if (e.system !== undefined && perSystemActions.has(e.action)) names.add(e.system);

  const systems: Record<string, SystemTiming> = {};
  for (const name of [...names].sort()) {
    const steps = run.filter((e) => e.system === name && perSystemActions.has(e.action));
    // The last word on each step (a retried failure that later succeeded is a success).
    const lastByStep = new Map<string, EvidenceRecord>();
    for (const e of steps) lastByStep.set(`${e.action}|${e.entitlement ?? ''}`, e);
    const failing = [...lastByStep.values()].some((e) => e.outcome === 'failure');
    const killed = steps.find((e) => e.action === 'sessions.kill' && e.outcome === 'success');
    const disabled = steps.find((e) => e.action === 'account.disable' && e.outcome === 'success');
    const absent = steps.find((e) => (e.action === 'sessions.kill' || e.action === 'account.disable') && e.outcome === 'not_found');
    // Nobody to look up (no work email, or no value for the HR field the system matches by): access not proven gone.
    const noLogin = steps.some((e) => e.outcome === 'skipped' && typeof e.context.reason === 'string' && e.context.reason.endsWith('to match accounts by'));
    const ended = killed ?? disabled ?? absent;
    let outcome: SystemOutcome;
    if (failing || (!ended && noLogin)) outcome = 'failed';
    else if (killed) outcome = 'killed';
    else if (disabled) outcome = 'disabled';
    else if (absent) outcome = 'not_found';
    else if (hold?.status === 'held') outcome = 'held';
    else if (hold?.status === 'aborted') outcome = 'aborted';
    else outcome = 'pending';
    systems[name] = { sessionsKilledAt: ended?.occurredAt ?? null, disabledAt: disabled?.occurredAt ?? null, outcome };
  }
  return systems;
}

/**
 * When the last system's sessions ended: as the leaver recorded it, or, while it has not written
 * that milestone yet (a later step of some system still retrying), from the systems' own steps
 * once every one of them has ended its sessions; null while any has not.
 */
function sessionsEnded(run: readonly EvidenceRecord[], systems: Record<string, SystemTiming>): string | null {
  const milestone = run.find((e) => e.action === 'leaver.sessions_killed' && e.outcome !== 'failure');
  if (milestone) return isoOrNull(milestone.context.sessionsKilledAt) ?? milestone.occurredAt;
  const ends = Object.values(systems).map((s) => s.sessionsKilledAt);
  if (ends.length === 0 || ends.some((at) => at === null)) return null;
  return (ends as string[]).sort().at(-1) ?? null;
}

/** Failures, skips and breaches, in the order they happened, as short strings. */
function eventExceptions(run: readonly EvidenceRecord[]): string[] {
  const out: string[] = [];
  for (const e of run) {
    if (e.outcome === 'success') continue;
    const reason = typeof e.context.reason === 'string' && e.context.reason !== '' ? ` (${e.context.reason})` : '';
    if (e.outcome === 'sla_breach') {
      out.push(`sla_breach${e.action === 'leaver.sla_breach' ? '' : ` ${e.action}`}${reason}`);
      continue;
    }
    const where = [e.system, e.entitlement].filter((part) => part !== undefined).join(' ');
    out.push(`${e.action}${where ? ` ${where}` : ''}: ${e.outcome}${reason}`);
  }
  return out;
}

function approvals(run: readonly EvidenceRecord[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const e of run) {
    const approval = e.context.approval;
    if (approval === undefined || approval === null) continue;
    const key = canonicalJson(approval);
    if (!seen.has(key)) seen.set(key, approval);
  }
  return [...seen.values()];
}

function summarise(leavers: readonly LeaverRow[], rescinded: number): OffboardingSummary {
  const seconds = leavers
    .map((l) => l.secondsToSessionsKilled)
    .filter((s): s is number => s !== null)
    .sort((a, b) => a - b);
  const decided = leavers.filter((l) => l.withinSla !== null);
  const within = decided.filter((l) => l.withinSla === true).length;
  return {
    count: leavers.length,
    withinSlaShare: decided.length === 0 ? null : Math.round((within / decided.length) * 10_000) / 10_000,
    p50Seconds: nearestRank(seconds, 50),
    p95Seconds: nearestRank(seconds, 95),
    maxSeconds: seconds.at(-1) ?? null,
    open: leavers.filter((l) => l.accessRevokedAt === null && l.hold?.status !== 'aborted').length,
    held: leavers.filter((l) => l.hold?.status === 'held').length,
    aborted: leavers.filter((l) => l.hold?.status === 'aborted').length,
    rescinded,
  };
}

function firstDone(run: readonly EvidenceRecord[], action: string): string | null {
  return run.find((e) => e.action === action && e.outcome !== 'failure')?.occurredAt ?? null;
}

function secondsSince(startMs: number, at: string | null): number | null {
  if (at === null) return null;
  return Math.max(0, Date.parse(at) - startMs) / 1000;
}

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function nonNegativeNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
