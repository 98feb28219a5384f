import { pino, type DestinationStream, type Logger } from 'pino';
import { isDatabaseError, safeError } from './intake/safe-error';
import { REDACTED, scrubPersonal } from './personal-data';

export type { Logger };

/** Keys that hold a person's name, address or login, wherever they sit in a log line's object. */
const PERSONAL_KEYS = [
  'email',
  'workEmail',
  'personalEmail',
  'primaryEmail',
  'mail',
  'firstName',
  'lastName',
  'displayName',
  'preferredName',
  'fullName',
  'givenName',
  'familyName',
  'login',
  'userName',
  'username',
  'upn',
  'userPrincipalName',
];
const SECRET_KEYS = ['token', 'secret', 'password', 'authorization'];

/** The key itself and up to three levels down (pino's redaction names paths; `*` is one level). */
function redactPaths(): string[] {
  const personal = PERSONAL_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);
  // `name` alone is too common below the top (an error's name, a group's): only where it is a person's.
  const names = ['name', ...['worker', 'employee', 'person', 'manager', 'user'].flatMap((o) => [`${o}.name`, `*.${o}.name`])];
  return [...SECRET_KEYS.map((k) => `*.${k}`), 'headers.authorization', ...personal, ...names];
}

/**
 * Structured JSON logs on stderr (or `destination`). Secrets never reach a log line, nor do
 * name- and address-shaped fields (redacted by key); an email address anywhere else in a line
 * (a message, an error's message or stack, a nested value) is scrubbed by its shape.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination: DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { service: 'jml' },
      redact: { paths: redactPaths(), censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          // An error logged on its own goes under `err`, as pino puts it, its message the line's message.
          const head = first instanceof Error ? { err: first } : first;
          const tail = first instanceof Error && typeof rest[0] !== 'string' ? [first.message, ...rest] : rest;
          method.apply(this, [scrubbed(head, 0), ...tail.map((arg) => scrubbed(arg, 0))] as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** A copy of a log argument with every email address in its strings scrubbed; errors become pino's plain form. */
function scrubbed(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubPersonal(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // A database error quotes the row it refused (detail, where, even its message): its SQLSTATE alone.
    if (isDatabaseError(value)) {
      const { code } = safeError(value);
      return { type: 'DatabaseError', ...(code ? { code } : {}) };
    }
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) copy[k] = scrubbed(v, depth + 1);
    for (const k of ['message', 'stack', 'cause'] as const) if (k in value) copy[k] = scrubbed((value as unknown as Record<string, unknown>)[k], depth + 1);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubbed(v, depth + 1);
  return out;
}
