import { condition } from '@temporalio/workflow';
import type { LeaverPipeline, StepResult, SystemStep } from '../activities/leaver';
import { systemSteps } from './leaver-steps';

/** How a system's sessions ended: killed, ended by disabling the account, or there was no account. */
export type SessionEnd = 'killed' | 'disabled' | 'not_found' | 'skipped';

export interface PipelineResult {
  system: string;
  how: SessionEnd;
  /** The step that ended the system's sessions (the session kill, or the disable). */
  sessions: StepResult;
  disabled: StepResult;
  entitlements: StepResult;
}

/** Resolves once nothing else runs for the worker, with how many joiners or movers were stopped. */
export type OthersStopped = () => Promise<{ stopped: number }>;

export function withAccount(step: SystemStep, found: StepResult): SystemStep {
  return found.accountId ? { ...step, accountId: found.accountId } : step;
}

export function howEnded(pipeline: LeaverPipeline, result: StepResult): SessionEnd {
  if (result.outcome === 'not_found') return 'not_found';
  if (result.outcome === 'skipped') return 'skipped';
  return pipeline.killsSessions ? 'killed' : 'disabled';
}

/**
 * One system's leaver steps, independent of every other system: end the sessions at once (kill
 * them, or, where the system has no session call, disable the account), report that through
 * `ended`, then disable and revoke. With `othersStopped` (a joiner or mover may run beside the
 * leaver), disabling and revoking wait until nothing else runs for the worker; when one had to be
 * stopped, its last steps may have landed after the session end, so the end is re-checked on a
 * fresh read. Without it, a system with no session call is disabled and stripped in one step.
 */
export async function runPipeline(
  pipeline: LeaverPipeline,
  step: SystemStep,
  ended: (system: string, result: StepResult) => void,
  othersStopped?: OthersStopped,
): Promise<PipelineResult> {
  const { system, killsSessions } = pipeline;
  if (killsSessions) {
    const sessions = await systemSteps(`kill sessions: ${system}`, 'ends sessions', system).killSessions(step);
    ended(system, sessions);
    const { stopped } = othersStopped ? await othersStopped() : { stopped: 0 };
    const rest = await systemSteps(`disable and revoke: ${system}`, 'after sessions', system).removeAccess({ ...withAccount(step, sessions), killsSessions, recheck: stopped > 0 });
    return { system, how: howEnded(pipeline, sessions), sessions, ...rest };
  }
  if (!othersStopped) {
    const rest = await systemSteps(`disable (ends its sessions) and revoke: ${system}`, 'ends sessions', system).removeAccess({ ...step, killsSessions });
    ended(system, rest.disabled);
    return { system, how: howEnded(pipeline, rest.disabled), sessions: rest.disabled, ...rest };
  }
  const sessions = await systemSteps(`disable account (ends its sessions): ${system}`, 'ends sessions', system).disableAccount(step);
  ended(system, sessions);
  const { stopped } = await othersStopped();
  const rest = await systemSteps(`revoke: ${system}`, 'after sessions', system).removeAccess({ ...withAccount(step, sessions), killsSessions, disabled: sessions, recheck: stopped > 0 });
  return { system, how: howEnded(pipeline, sessions), sessions, ...rest };
}

/** Resolves once `ready()` gives a value; for waits on a signal. */
export async function whenReady<T>(ready: () => T | undefined): Promise<T> {
  await condition(() => ready() !== undefined);
  return ready() as T;
}

/**
 * The rest of a system's steps once its sessions were ended by a kill (a held leaver killed them
 * before its hold was released): disable and revoke, after whatever else runs for the worker.
 */
export async function afterSessionKill(pipeline: LeaverPipeline, step: SystemStep, sessions: StepResult, othersStopped?: OthersStopped): Promise<PipelineResult> {
  const { system } = pipeline;
  const { stopped } = othersStopped ? await othersStopped() : { stopped: 0 };
  const rest = await systemSteps(`disable and revoke: ${system}`, 'after sessions', system).removeAccess({ ...withAccount(step, sessions), killsSessions: true, recheck: stopped > 0 });
  return { system, how: howEnded(pipeline, sessions), sessions, ...rest };
}
