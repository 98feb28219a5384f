import { createHash } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { HrEvent } from '../hris/hr-event';
import { parseWorkdayNotification, workdayEventId, type WorkdayNotification } from '../hris/workday/notification';
import { verifyWorkdayBasic, verifyWorkdaySignature } from '../hris/workday/signature';
import { acceptEvents, type IntakeLogger } from '../intake/accept';
import type { Inbox } from '../intake/inbox';
import { answer, asRejection, inboxCall, WebhookRejection } from './webhook-errors';

/**
 * POST /webhooks/workday: type and size -> signature or Basic credentials -> JSON -> schema ->
 * (a transaction already in the inbox is answered from the stored copy) -> read the worker back
 * from Workday -> store in the inbox -> hand the new event to Temporal -> 202.
 *
 * Nothing is stored or started for a refused request. When Workday cannot be read the
 * notification is refused too, so that Workday redelivers it: 503 hris_unavailable (with
 * Retry-After) while Workday is down or slow, 502 hris_error when it answered with an error a
 * retry will not cure (refused integration credentials, a SOAP fault). The reconciliation poll
 * catches whatever Workday stops redelivering once the cause is fixed.
 */

export interface WorkdayWebhookDeps {
  /** WORKDAY_WEBHOOK_SECRET: the HMAC key, or the Basic password; without it every delivery is refused. */
  secret: string | undefined;
  /** hris.workday.webhookAuth. */
  auth: 'signature' | 'basic';
  /** hris.workday.webhookUsername: the Basic user name (its password is the secret). */
  basicUsername: string;
  /** hris.workday.signatureWindow: accepted clock distance of X-Workday-Timestamp. */
  windowMs: number;
  /**
   * Reads the worker back from Workday and builds the HrEvent; undefined = nothing to act on
   * (unmapped process, unknown worker). Throws errors with a `retryable` boolean when Workday
   * cannot be read; an error without one counts as retryable.
   */
  toEvent: (notification: WorkdayNotification, context: { receivedAt: string; sourceIp?: string }) => Promise<HrEvent | undefined>;
  inbox: Inbox;
  /** Starts or signals the worker's workflow; returns the workflow IDs; throws if Temporal is unreachable. */
  dispatch: (event: HrEvent) => Promise<string[]>;
  now: () => Date;
  logger?: IntakeLogger;
  /** Largest accepted body; default 64 kB (a notification is a few hundred bytes). */
  maxBodyBytes?: number;
}

export const workdayWebhookPath = '/webhooks/workday';

const silent: IntakeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const basicChallenge = 'Basic realm="jml-workday", charset="UTF-8"';

/**
 * Mount it at the root (it serves /webhooks/workday) or under /webhooks/workday (it serves
 * that mount point). Mount it before any app-wide body parser: the signature covers raw bytes.
 */
export function workdayWebhookRouter(deps: WorkdayWebhookDeps): Router {
  const log = deps.logger ?? silent;
  const router = express.Router();

  const onlyOurPath: RequestHandler = (req, _res, next) => {
    const full = `${req.baseUrl}${req.path}`.replace(/\/+$/, '');
    next(full === workdayWebhookPath ? undefined : 'router');
  };
  const jsonOnly: RequestHandler = (req, _res, next) => {
    if (req.is('application/json')) return next();
    throw new WebhookRejection('unsupported_media_type', 'Content-Type must be application/json');
  };
  const rawBody = express.raw({ type: () => true, limit: deps.maxBodyBytes ?? 64 * 1024 });
  const receive: RequestHandler = async (req, res) => {
    const body = await receiveNotification(deps, log, req);
    res.status(202).json(body);
  };
  const answerError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const rejection = asRejection(err);
    if (rejection.code === 'internal') log.error({ err, path: req.path }, 'Workday webhook failed');
    if (rejection.code === 'missing_credentials' || rejection.code === 'bad_credentials') res.set('WWW-Authenticate', basicChallenge);
    answer(res, rejection);
  };

  router.post(['/', workdayWebhookPath], onlyOurPath, jsonOnly, rawBody, receive, answerError);
  return router;
}

async function receiveNotification(deps: WorkdayWebhookDeps, log: IntakeLogger, req: Request) {
  const receivedAt = deps.now();
  if (!deps.secret) throw new WebhookRejection('not_configured', 'the Workday webhook secret is not configured; unauthenticated notifications are refused');
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw)) throw new Error('request body was consumed before the Workday webhook router');

  authenticate(deps, deps.secret, log, req, raw, receivedAt);

  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new WebhookRejection('invalid_json', raw.length === 0 ? 'the body is empty' : `the body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = parseWorkdayNotification(json);
  if (!parsed.ok) throw new WebhookRejection('invalid_payload', `${parsed.path}: ${parsed.message}`, { field: parsed.path });
  const notification = parsed.notification;
  const eventId = workdayEventId(notification.transactionLogWid);

  // Always read back: a notification that repeats a known transaction may be its rescind or
  // correction, which Workday's record tells apart. The inbox then absorbs a true repeat.
  const event = await readBack(deps, log, notification, eventId, { receivedAt: receivedAt.toISOString(), ...(req.ip ? { sourceIp: req.ip } : {}) });
  const logged = { eventId, businessProcessType: notification.businessProcessType };
  if (!event) {
    log.info({ ...logged, ignored: 1 }, 'Workday notification has nothing to act on; ignored');
    return { accepted: 0, duplicates: 0, ignored: 1, events: [] };
  }

  const deliveryId = createHash('sha256').update(raw).digest('hex');
  const delivered = await inboxCall(log, () => acceptEvents({ inbox: deps.inbox, dispatch: deps.dispatch, log }, [event], { deliveryId }));
  const duplicates = delivered.filter((d) => d.duplicate).length;
  log.info({ ...logged, kind: event.kind, accepted: delivered.length - duplicates, duplicates, deliveryId }, 'Workday webhook accepted');
  return { accepted: delivered.length - duplicates, duplicates, ignored: 0, events: delivered };
}

function authenticate(deps: WorkdayWebhookDeps, secret: string, log: IntakeLogger, req: Request, raw: Buffer, now: Date): void {
  if (deps.auth === 'basic') {
    const check = verifyWorkdayBasic(req.get('authorization'), { username: deps.basicUsername, password: secret });
    if (check.ok) return;
    log.warn({ code: check.code, ip: req.ip }, 'Workday webhook credentials rejected');
    throw new WebhookRejection(check.code, 'request credentials rejected');
  }
  const check = verifyWorkdaySignature({
    secret,
    rawBody: raw,
    signature: req.get('x-workday-signature'),
    timestamp: req.get('x-workday-timestamp'),
    now,
    windowMs: deps.windowMs,
  });
  if (check.ok) return;
  log.warn({ code: check.code, ip: req.ip }, 'Workday webhook signature rejected');
  throw new WebhookRejection(check.code, 'request signature rejected');
}

/** Builds the event from Workday's own record; a failure refuses the delivery so Workday retries. */
async function readBack(
  deps: WorkdayWebhookDeps,
  log: IntakeLogger,
  notification: WorkdayNotification,
  eventId: string,
  context: { receivedAt: string; sourceIp?: string },
): Promise<HrEvent | undefined> {
  let event: HrEvent | undefined;
  try {
    event = await deps.toEvent(notification, context);
  } catch (err) {
    const retryable = !(typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === false);
    const code = errorCode(err, retryable ? 'workday_unavailable' : 'workday_error');
    if (retryable) {
      log.warn({ eventId, code, err: errorText(err) }, 'Workday read-back failed; asking Workday to retry');
      throw new WebhookRejection('hris_unavailable', `could not read the worker from Workday (${code}); retry later`);
    }
    log.error({ eventId, code, err: errorText(err) }, 'Workday refused the read-back; check the Workday API settings');
    throw new WebhookRejection('hris_error', `Workday refused the worker read-back (${code}); the engine's Workday API settings need attention`);
  }
  return event;
}

function errorCode(err: unknown, fallback: string): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : fallback;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}
