import { WebhookRejection } from '../../api/webhook-errors';
import type { EvidenceStore } from '../../evidence/store';
import type { HrEvent } from '../hr-event';
import { parseJson, type HrReceiver, type ReceiveContext, type Received } from '../receiver';
import { safeError } from '../../intake/safe-error';
import { findUnstorableText, unstorableField } from '../storable-text';
import { parseWorkdayNotification, workdayEventId, type WorkdayNotification } from './notification';
import { WorkdayUnconfirmed } from './read-back';
import { verifyWorkdayBasic, verifyWorkdaySignature } from './signature';

/**
 * POST /webhooks/workday as a Workday business-process Integration step sends it: JSON,
 * X-Workday-Signature (or HTTP Basic where the tenant can only do that), a notification
 * {workerId, businessProcessType, effectiveMoment, transactionLogWid}. The notification is a
 * hint only: the worker is read back from Workday before anything is stored.
 *
 * When Workday cannot be read the notification is refused, so that Workday redelivers it:
 * 503 hris_unavailable while Workday is down or slow, 502 hris_error when it answered with an
 * error a retry will not cure (refused integration credentials, a SOAP fault). The
 * reconciliation poll catches whatever Workday stops redelivering once the cause is fixed.
 */
export interface WorkdayReceiverOptions {
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
  /** Largest accepted body; default 64 kB (a notification is a few hundred bytes). */
  maxBodyBytes?: number;
  /** Where a notification Workday does not confirm is recorded (hr_event.unconfirmed). */
  evidence?: Pick<EvidenceStore, 'append'>;
}

export const workdayWebhookPath = '/webhooks/workday';

export function workdayReceiver(options: WorkdayReceiverOptions): HrReceiver {
  return {
    source: 'workday',
    label: 'Workday',
    path: workdayWebhookPath,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    challenge: 'Basic realm="jml-workday", charset="UTF-8"',
    contentTypeProblem: (is) => (is('application/json') ? undefined : 'Content-Type must be application/json'),
    authenticate(raw, header, now) {
      const secret = options.secret;
      if (!secret) throw new WebhookRejection('not_configured', 'the Workday webhook secret is not configured; unauthenticated notifications are refused');
      if (options.auth === 'basic') {
        const check = verifyWorkdayBasic(header('authorization'), { username: options.basicUsername, password: secret });
        if (!check.ok) throw new WebhookRejection(check.code, 'request credentials rejected');
        return;
      }
      const check = verifyWorkdaySignature({
        secret,
        rawBody: raw,
        signature: header('x-workday-signature'),
        timestamp: header('x-workday-timestamp'),
        now,
        windowMs: options.windowMs,
      });
      if (!check.ok) throw new WebhookRejection(check.code, 'request signature rejected');
    },
    toEvents: (raw, context) => workdayEvents(options, raw, context),
  };
}

async function workdayEvents(options: WorkdayReceiverOptions, raw: Buffer, context: ReceiveContext): Promise<Received> {
  const parsed = parseWorkdayNotification(parseJson(raw));
  if (!parsed.ok) throw new WebhookRejection('invalid_payload', `${parsed.path}: ${parsed.message}`, { field: parsed.path });
  const notification = parsed.notification;
  const bad = findUnstorableText(notification);
  if (bad) {
    throw new WebhookRejection('invalid_payload', `${bad.path}: ${bad.reason} (employee ${notification.workerId})`, { field: bad.path, employeeId: notification.workerId });
  }
  const eventId = workdayEventId(notification.transactionLogWid);
  const logged = { eventId, businessProcessType: notification.businessProcessType };

  // Always read back: a notification that repeats a known transaction may be its rescind or
  // correction, which Workday's record tells apart. The inbox then absorbs a true repeat.
  const event = await readBack(options, context, notification, eventId);
  if (!event) {
    context.log.info({ ...logged, ignored: 1 }, 'Workday notification has nothing to act on; ignored');
    return { events: [], ignored: 1, refused: [], logged };
  }
  // Workday's own record may hold text Postgres cannot store: refused, naming the field.
  const found = unstorableField(event);
  if (found) return { events: [], ignored: 0, refused: [{ employeeId: event.employeeId, field: found.path, reason: found.reason }], logged };
  return { events: [event], ignored: 0, refused: [], logged: { ...logged, kind: event.kind } };
}

/** Builds the event from Workday's own record; a failure refuses the delivery so Workday retries. */
async function readBack(options: WorkdayReceiverOptions, context: ReceiveContext, notification: WorkdayNotification, eventId: string): Promise<HrEvent | undefined> {
  try {
    return await options.toEvent(notification, { receivedAt: context.receivedAt.toISOString(), ...(context.sourceIp ? { sourceIp: context.sourceIp } : {}) });
  } catch (err) {
    if (err instanceof WebhookRejection) throw err;
    if (err instanceof WorkdayUnconfirmed) await refuseUnconfirmed(options, context, err);
    const retryable = !(typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === false);
    const code = errorCode(err, retryable ? 'workday_unavailable' : 'workday_error');
    if (retryable) {
      context.log.warn({ eventId, code, err: errorText(err) }, 'Workday read-back failed; asking Workday to retry');
      throw new WebhookRejection('hris_unavailable', `could not read the worker from Workday (${code}); retry later`);
    }
    context.log.error({ eventId, code, err: errorText(err) }, 'Workday refused the read-back; check the Workday API settings');
    throw new WebhookRejection('hris_error', `Workday refused the worker read-back (${code}); the engine's Workday API settings need attention`);
  }
}

/**
 * Workday's record does not bear the notification out (a made-up or mistyped transaction, a
 * process Workday logged as another): recorded as evidence, refused with 409, nothing stored.
 * Workday is not asked to retry (a 4xx), and a real transaction is still caught by the poll.
 */
async function refuseUnconfirmed(options: WorkdayReceiverOptions, context: ReceiveContext, err: WorkdayUnconfirmed): Promise<never> {
  const { workerId, businessProcessType, transactionLogWid } = err.notification;
  context.log.warn({ employeeId: workerId, transactionLogWid, businessProcessType, why: err.why }, 'Workday does not confirm the notification; refused');
  try {
    await options.evidence?.append({
      stepKey: `hr_event.unconfirmed:workday:${transactionLogWid}`,
      employeeId: workerId,
      hrSource: 'workday',
      actorType: 'hr',
      actorId: 'workday',
      action: 'hr_event.unconfirmed',
      occurredAt: context.receivedAt.toISOString(),
      ...(context.sourceIp ? { where: context.sourceIp } : {}),
      outcome: 'failure',
      context: { transactionLogWid, businessProcessType, why: err.why, ...(err.loggedType ? { loggedBusinessProcessType: err.loggedType } : {}) },
    });
  } catch (e) {
    context.log.error({ employeeId: workerId, err: safeError(e) }, 'could not record an unconfirmed Workday notification');
    throw new WebhookRejection('inbox_unavailable', 'the refusal could not be recorded; retry later');
  }
  throw new WebhookRejection('unconfirmed', `${err.message}; nothing was done`, { why: err.why, transactionLogWid });
}

function errorCode(err: unknown, fallback: string): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : fallback;
}

/** The client's own wording (operation, status, Workday's fault code and string), never a payload. */
function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}
