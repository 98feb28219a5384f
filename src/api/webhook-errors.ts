import type { Response } from 'express';
import type { IntakeLogger } from '../intake/accept';
import { safeError } from '../intake/safe-error';

/**
 * What every HR webhook answers when it refuses a delivery: a code, a clear message and the
 * status that code means (4xx for the sender's mistakes, 503 with Retry-After when the engine
 * could not make the event durable, so the HRIS retries). Never 500 for bad input.
 */
export const statusByCode = {
  unsupported_media_type: 415,
  payload_too_large: 413,
  bad_request: 400,
  not_configured: 503,
  missing_signature: 401,
  bad_signature: 401,
  stale_timestamp: 401,
  bad_timestamp: 401,
  missing_credentials: 401,
  bad_credentials: 401,
  invalid_json: 400,
  invalid_payload: 400,
  thin_payload: 400,
  /** The HRIS's own record does not bear the notification out (Workday: Get_Workers); nothing was done. */
  unconfirmed: 409,
  hris_unavailable: 503,
  /** The HRIS answered, but with an error a retry of the same call will not cure (e.g. refused credentials). */
  hris_error: 502,
  inbox_unavailable: 503,
  internal: 500,
} as const;
export type WebhookErrorCode = keyof typeof statusByCode;

/** A refused delivery; the HTTP status comes from the code alone. */
export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function inboxCall<T>(log: IntakeLogger, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // A database error carries the row it refused: only its SQLSTATE is logged.
    log.error({ err: safeError(err) }, 'inbox unavailable; asking the HRIS to retry');
    throw new WebhookRejection('inbox_unavailable', 'the event could not be stored; retry later');
  }
}

export function asRejection(err: unknown): WebhookRejection {
  if (err instanceof WebhookRejection) return err;
  // body-parser errors carry a type and a 4xx status.
  const type = typeof err === 'object' && err !== null && 'type' in err ? String(err.type) : '';
  if (type === 'entity.too.large') return new WebhookRejection('payload_too_large', 'the body is larger than this endpoint accepts');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new WebhookRejection('unsupported_media_type', 'unsupported content encoding');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid' || type === 'entity.verify.failed') {
    return new WebhookRejection('bad_request', 'the request body could not be read');
  }
  // Any other body-parser refusal is a 4xx without a type: a body that does not inflate as its
  // Content-Encoding says (gzip on plain bytes) is the sender's mistake, not ours.
  const status = typeof err === 'object' && err !== null && 'status' in err ? err.status : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new WebhookRejection('bad_request', 'the request body could not be read (does it match its Content-Encoding?)');
  }
  return new WebhookRejection('internal', 'internal error');
}

export function answer(res: Response, rejection: WebhookRejection): void {
  const status = statusByCode[rejection.code];
  if (status === 503) res.set('Retry-After', '30');
  res.status(status).json({ error: rejection.code, message: rejection.message, ...rejection.details });
}

