/**
 * The answers of the JSON decision routes (approvals, mass-termination holds): one error type
 * carrying status, code and message, from our own checks, from zod's first issue, or from
 * express's body parser (which marks its errors with a type and a 4xx status).
 */
import type { z } from 'zod';

export class RouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** 400 naming the field of zod's first issue (an unknown field named as such). */
export function invalidPayload(error: z.ZodError, knownFields: string): RouteError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = issue.keys[0] ?? '(root)';
    return new RouteError(400, 'invalid_payload', `${field}: is not a known field (send ${knownFields})`, { field });
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return new RouteError(400, 'invalid_payload', `${field}: ${issue.message}`, { field });
}

/** Ours, or a body-parser error; anything else is not ours to answer. */
export function asRouteError(err: unknown, maxBodyBytes: number): RouteError | undefined {
  if (err instanceof RouteError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { type?: unknown; status?: unknown; message?: unknown };
  switch (e.type) {
    case 'entity.parse.failed':
      return new RouteError(400, 'invalid_json', `the body is not valid JSON: ${String(e.message)}`);
    case 'entity.too.large':
      return new RouteError(413, 'payload_too_large', `the body is larger than ${maxBodyBytes / 1024} kB`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new RouteError(415, 'unsupported_media_type', String(e.message));
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new RouteError(e.status, 'bad_request', String(e.message));
  return undefined;
}
