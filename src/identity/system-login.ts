/**
 * Which name each system knows a worker by. Accounts are matched by the work email unless a
 * system is configured to match by an extra HR field (identity.hrFields; e.g. a GitHub login).
 * Pure and free of Node built-ins: workflows use loginFor to build their steps.
 */
import type { WorkerAttributes } from '../hris/hr-event';

/** The login a system's accounts are looked up by, and the HR field it came from (absent: the work email). */
export interface SystemLogin {
  login?: string;
  matchBy?: string;
}

/** System ID -> the HR field its accounts are matched by; systems not listed match by work email. */
export type MatchByFields = Readonly<Record<string, string>>;

/** The work email as accounts are matched by it: lower-cased; undefined when HR gave none. */
export function workEmailLogin(worker: Pick<WorkerAttributes, 'workEmail'>): string | undefined {
  const login = worker.workEmail?.trim().toLowerCase();
  return login ? login : undefined;
}

/** The login one system matches this worker by. */
export function systemLogin(worker: WorkerAttributes, system: string, matchBy: MatchByFields | undefined): SystemLogin {
  const field = matchBy?.[system];
  if (field === undefined) {
    const login = workEmailLogin(worker);
    return login ? { login } : {};
  }
  const value = worker.hrFields?.[field]?.trim();
  return value ? { login: value, matchBy: field } : { matchBy: field };
}

/**
 * For a plan: the logins of the systems matched by an HR field (the rest use the plan's work
 * email login); undefined when no system is.
 */
export function systemLogins(worker: WorkerAttributes, matchBy: MatchByFields | undefined): Record<string, SystemLogin> | undefined {
  const systems = Object.keys(matchBy ?? {});
  if (systems.length === 0) return undefined;
  return Object.fromEntries(systems.map((system) => [system, systemLogin(worker, system, matchBy)]));
}

/** A plan's logins for systems matched by an HR field, to spread into it (nothing when there are none). */
export function withLogins(worker: WorkerAttributes, matchBy: MatchByFields | undefined): { logins?: Record<string, SystemLogin> } {
  const logins = systemLogins(worker, matchBy);
  return logins ? { logins } : {};
}

/** Logins from a later HR event over earlier ones, each system keeping its earlier login where the later event has none. */
export function laterLogins(
  earlier: Record<string, SystemLogin> | undefined,
  later: Record<string, SystemLogin> | undefined,
): Record<string, SystemLogin> | undefined {
  if (!earlier) return later;
  if (!later) return earlier;
  const out = { ...earlier };
  for (const [system, next] of Object.entries(later)) if (next.login || !out[system]?.login) out[system] = next;
  return out;
}

/** A plan's login for one system: its HR-field login where it has one, else the work email. */
export function loginFor(plan: { login?: string; logins?: Record<string, SystemLogin> }, system: string): SystemLogin {
  const own = plan.logins?.[system];
  if (own) return { ...(own.login ? { login: own.login } : {}), ...(own.matchBy ? { matchBy: own.matchBy } : {}) };
  return plan.login ? { login: plan.login } : {};
}

/** Why a step had nobody to look up (for the evidence): names the field, never a value. */
export function noLoginReason(matchBy: string | undefined, purpose: 'match accounts by' | 'create accounts with'): string {
  return matchBy ? `HR record has no ${matchBy} (identity.hrFields) to ${purpose}` : `HR record has no work email to ${purpose}`;
}
