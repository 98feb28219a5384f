import { ApplicationFailure } from '@temporalio/common';
import { isDatabaseError, safeErrorText } from '../intake/safe-error';
import { scrubPersonal } from '../personal-data';

/**
 * Activities as the worker registers them: whatever an activity throws reaches Temporal (its
 * history, the SDK's "Activity failed" log line) without personal data. A database error is
 * replaced by its SQLSTATE (pg's message and detail quote the row it refused: `Key (email)=(...)`);
 * any other error keeps its type and retry behaviour, its message and stack scrubbed of addresses.
 */
export function withSafeFailures<T extends object>(activities: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] =
      typeof fn === 'function'
        ? async (...args: unknown[]) => {
            try {
              return (await (fn as (...a: unknown[]) => Promise<unknown>)(...args)) as unknown;
            } catch (err) {
              throw safeFailure(err);
            }
          }
        : fn;
  }
  return out as T;
}

export function safeFailure(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (isDatabaseError(err)) return ApplicationFailure.create({ message: safeErrorText(err), type: 'DatabaseError', nonRetryable: false });
  err.message = scrubPersonal(err.message);
  if (err.stack) err.stack = scrubPersonal(err.stack);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) (err as { cause?: unknown }).cause = safeFailure(cause);
  return err;
}
