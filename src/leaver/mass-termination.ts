/**
 * The mass-termination guard's pure rules (leaver.massTermination): what the threshold is, and
 * when a burst of terminations from one HRIS goes past it.
 */

/** A fixed number of terminations, or a share of the HRIS's active workers. */
export type MassThreshold = { count: number } | { share: number };

export interface MassTerminationSettings {
  threshold: MassThreshold;
  windowMs: number;
  /** Hold the session kills too (by default sessions end at once and only disable/revoke wait). */
  holdSessionKills: boolean;
  /** How often an undecided hold is announced again in the security channel; 0 never. */
  remindEveryMs: number;
  /** When an undecided hold is escalated (the escalation contacts are named); 0 never. */
  escalateAfterMs: number;
  /** Slack user IDs named on escalation, and, when set, the only ones who may decide in Slack. */
  deciders: string[];
}

/** `25` or `"5%"` as written in the config file. */
export function parseThreshold(value: number | string): MassThreshold | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? { count: value } : undefined;
  const text = value.trim();
  const share = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (share) {
    const pct = Number(share[1]);
    return pct > 0 && pct <= 100 ? { share: pct / 100 } : undefined;
  }
  return /^\d+$/.test(text) ? { count: Number(text) } : undefined;
}

/**
 * How many terminations within the window are let through before a hold opens. A share counts
 * against the workers the engine knows to be active for that HRIS, rounded down, and never lets
 * fewer than one through (a first termination on an empty directory is no burst).
 */
export function limitOf(threshold: MassThreshold, activeWorkers: number): number {
  if ('count' in threshold) return threshold.count;
  return Math.max(1, Math.floor(threshold.share * Math.max(0, activeWorkers)));
}

/** Held when this arrival makes the burst larger than the limit. */
export function overLimit(arrivalsInWindow: number, limit: number): boolean {
  return arrivalsInWindow > limit;
}

/** The threshold as people read it: "25" or "5%". */
export function thresholdText(threshold: MassThreshold): string {
  return 'count' in threshold ? String(threshold.count) : `${Math.round(threshold.share * 10_000) / 100}%`;
}

/** Readable and unique per HRIS: hold-bamboohr-3. */
export function holdIdFor(source: string, n: number): string {
  return `hold-${source}-${n}`;
}

/** What a hold's workflow is started with (by the leaver that opened it, or by a decision that finds it missing). */
export interface HoldWorkflowInput {
  holdId: string;
  hrSource: string;
  remindEveryMs: number;
  escalateAfterMs: number;
  /** Named on escalation: the deciders, else the approvals' fallback approvers. */
  escalateTo: string[];
  /** When set, the only Slack users who may decide. */
  deciders: string[];
}

export function holdWorkflowInput(holdId: string, hrSource: string, settings: Pick<MassTerminationSettings, 'remindEveryMs' | 'escalateAfterMs' | 'deciders'>, fallbackApprovers: readonly string[]): HoldWorkflowInput {
  return {
    holdId,
    hrSource,
    remindEveryMs: settings.remindEveryMs,
    escalateAfterMs: settings.escalateAfterMs,
    escalateTo: settings.deciders.length > 0 ? [...settings.deciders] : [...fallbackApprovers],
    deciders: [...settings.deciders],
  };
}
