import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr; secrets never reach a log line (see redact paths). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'jml' },
      redact: { paths: ['*.token', '*.secret', '*.password', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
