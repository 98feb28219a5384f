/**
 * An error as a log line may carry it. Database errors carry the row they refused: pg's
 * DatabaseError has `detail`, `where`, `hint` and sometimes the parameters, and even its message
 * can quote a value ('invalid input syntax for type json: "..."'). HR data must never reach the
 * log, so a database error is logged by its SQLSTATE alone; other errors (a refused connection,
 * a timeout) by name, code and message, which carry no payload.
 */
import { scrubPersonal } from '../personal-data';

export interface SafeError {
  name: string;
  code?: string;
  message?: string;
}

export function safeError(err: unknown): SafeError {
  if (!(err instanceof Error)) return { name: typeof err };
  const code = (err as { code?: unknown }).code;
  const codeText = typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
  if (isDatabaseError(err)) return { name: 'DatabaseError', ...(codeText ? { code: codeText } : {}) };
  return { name: err.name, ...(codeText ? { code: codeText } : {}), message: scrubPersonal(err.message).slice(0, 300) };
}

/**
 * An error as a failure message, evidence reason or log message may quote it: a database error
 * by its SQLSTATE alone, any other by its message with email addresses scrubbed.
 */
export function safeErrorText(err: unknown): string {
  if (!(err instanceof Error)) return scrubPersonal(String(err));
  if (isDatabaseError(err)) {
    const { code } = safeError(err);
    return `database error${code ? ` (SQLSTATE ${code})` : ''}`;
  }
  return scrubPersonal(err.message);
}

/** pg's DatabaseError (and PGlite's), recognised by shape so that no driver is imported here. */
export function isDatabaseError(err: Error): boolean {
  const e = err as { severity?: unknown; code?: unknown; routine?: unknown; file?: unknown };
  return err.name === 'DatabaseError' || (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && (e.severity !== undefined || e.routine !== undefined || e.file !== undefined));
}
