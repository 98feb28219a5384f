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

/** Whether anything else still runs for the worker; resolves once nothing does, with how many were stopped. */
export type OthersStopped = () => Promise<{ stopped: number }>;

const again = 'after-others-stopped';

function withAccount(step: SystemStep, found: StepResult): SystemStep {
  return found.accountId ? { ...step, accountId: found.accountId } : step;
}

function howEnded(pipeline: LeaverPipeline, result: StepResult): SessionEnd {
  if (result.outcome === 'not_found') return 'not_found';
  if (result.outcome === 'skipped') return 'skipped';
  return pipeline.killsSessions ? 'killed' : 'disabled';
}

/**
 * One system's leaver steps, independent of every other system: end the sessions at once (kill
 * them, or, where the system has no session call, disable the account), report that through
 * `ended`, then, once nothing else runs for the worker, disable and revoke. When a joiner or
 * mover had to be stopped first, its last steps may have landed after the session end, so the
 * end is re-checked on a fresh read (a new account found, sessions killed again).
 */
export async function runPipeline(
  pipeline: LeaverPipeline,
  step: SystemStep,
  ended: (system: string, result: StepResult) => void,
  othersStopped: OthersStopped,
): Promise<PipelineResult> {
  const { system } = pipeline;
  if (pipeline.killsSessions) {
    const sessions = await systemSteps(`kill sessions: ${system}`).killSessions(step);
    ended(system, sessions);
    const { stopped } = await othersStopped();
    const disabled = await systemSteps(`disable account: ${system}`).disableAccount(withAccount(step, sessions));
    if (stopped > 0 && disabled.outcome === 'success') {
      await systemSteps(`kill sessions again: ${system}`).killSessions({ ...withAccount(step, disabled), repeat: again });
    }
    const entitlements = await systemSteps(`revoke entitlements: ${system}`).revokeEntitlements(withAccount(step, disabled));
    return { system, how: howEnded(pipeline, sessions), sessions, disabled, entitlements };
  }
  const sessions = await systemSteps(`disable account (ends its sessions): ${system}`).disableAccount(step);
  ended(system, sessions);
  const { stopped } = await othersStopped();
  // A fresh look-up, not the ID: a stopped joiner may have created the account meanwhile.
  const disabled = stopped > 0 ? await systemSteps(`disable account again: ${system}`).disableAccount({ ...step, repeat: again }) : sessions;
  const entitlements = await systemSteps(`revoke entitlements: ${system}`).revokeEntitlements(withAccount(step, disabled));
  return { system, how: howEnded(pipeline, sessions), sessions, disabled, entitlements };
}

/** Resolves once `ready()` gives a value; for waits on a signal. */
export async function whenReady<T>(ready: () => T | undefined): Promise<T> {
  await condition(() => ready() !== undefined);
  return ready() as T;
}
