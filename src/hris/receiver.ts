import { WebhookRejection } from '../api/webhook-errors';
import type { HrEvent, HrSource } from './hr-event';

/**
 * What one HRIS's webhook intake looks like to the one webhook router (src/api/webhook-router.ts):
 * where it is served, what it accepts, how a delivery is authenticated, and how its raw body
 * becomes HrEvents (including any read-back or completion from the HRIS's API). The router
 * does the rest the same way for every source: size and type, authenticate, parse, store, answer.
 *
 * Refusals are thrown as WebhookRejections (src/api/webhook-errors.ts); the code alone decides
 * the HTTP status.
 */
export interface HrReceiver {
  source: HrSource;
  /** Readable name for log lines, e.g. "BambooHR". */
  label: string;
  /** e.g. /webhooks/bamboohr */
  path: string;
  /** Largest accepted body in bytes (413 past it). */
  maxBodyBytes: number;
  /** undefined when the request's type is acceptable, else why not (415). `is` is express's req.is. */
  contentTypeProblem(is: (type: string) => boolean): string | undefined;
  /** Throws a 401 (or 503 not_configured) rejection unless the delivery is authentic. */
  authenticate(raw: Buffer, header: (name: string) => string | undefined, now: Date): void;
  /** Sent with a 401 for refused credentials (WWW-Authenticate), if the source uses HTTP auth. */
  challenge?: string;
  /** The delivery's events; throws a rejection when the delivery as a whole cannot be taken. */
  toEvents(raw: Buffer, context: ReceiveContext): Promise<Received>;
}

export interface ReceiveContext {
  receivedAt: Date;
  sourceIp?: string;
  log: ReceiverLogger;
  /** Events of these IDs already in the inbox (a redelivery needs no API call), by event ID. */
  stored(eventIds: readonly string[]): Promise<ReadonlyMap<string, HrEvent>>;
}

export interface ReceiverLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** One employee's part of a delivery that could not be taken: which field, and why (never its value). */
export interface RefusedEmployee {
  employeeId: string;
  field: string;
  reason: string;
}

export interface Received {
  events: HrEvent[];
  /** Changes the engine does not act on (a home phone, a compensation process, a deleted employee). */
  ignored: number;
  /** Employees whose data cannot be taken; the others of the delivery still are. */
  refused: RefusedEmployee[];
  /** Extra fields for the router's "accepted" log line: IDs and process names only. */
  logged?: Record<string, unknown>;
}

/** The body as JSON; 400 invalid_json when it is not. */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new WebhookRejection('invalid_json', raw.length === 0 ? 'the body is empty' : `the body is not valid JSON: ${(err as Error).message}`);
  }
}
