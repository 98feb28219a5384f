import { createHash } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { HrEvent } from '../hris/hr-event';
import { BambooHrClientError, type BambooHrClient } from '../hris/bamboohr/client';
import { bambooChanges, missingFields, normalizeBambooChange, type BambooChange } from '../hris/bamboohr/normalize';
import { parseBambooPayload, type BambooFieldValues } from '../hris/bamboohr/payload';
import { verifyBambooSignature } from '../hris/bamboohr/signature';
import { acceptEvents, type IntakeLogger } from '../intake/accept';
import { answer, asRejection, inboxCall, WebhookRejection } from './webhook-errors';
import type { Inbox } from '../intake/inbox';

/**
 * POST /webhooks/bamboohr: size and type -> signature -> JSON -> schema -> complete thin
 * payloads from the BambooHR API -> store in the inbox -> hand new events to Temporal -> 202.
 * Nothing is stored or started for a rejected request. Once stored, an event is acknowledged
 * even if Temporal is down: the inbox drainer hands it over later.
 */

export type WebhookLogger = IntakeLogger;

export interface BambooWebhookDeps {
  /** BAMBOOHR_WEBHOOK_SECRET; without it every delivery is refused. */
  secret: string | undefined;
  /** Accepted clock distance of X-BambooHR-Timestamp (hris.bamboohr.signatureWindow). */
  windowMs: number;
  /** Completes thin payloads; without it a thin payload is refused with 400. */
  client: BambooHrClient | undefined;
  inbox: Inbox;
  /** Starts or signals the worker's workflow; returns the workflow IDs; throws if Temporal is unreachable. */
  dispatch: (event: HrEvent) => Promise<string[]>;
  now: () => Date;
  logger?: WebhookLogger;
  /** Largest accepted body; default 256 kB. */
  maxBodyBytes?: number;
}

export const webhookPath = '/webhooks/bamboohr';

const silent: WebhookLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const apiConcurrency = 4;

/**
 * Mount it at the root (it serves /webhooks/bamboohr) or under /webhooks/bamboohr (it serves
 * that mount point). Mount it before any app-wide body parser: the signature covers raw bytes.
 */
export function bamboohrWebhookRouter(deps: BambooWebhookDeps): Router {
  const log = deps.logger ?? silent;
  const router = express.Router();

  const onlyOurPath: RequestHandler = (req, _res, next) => {
    const full = `${req.baseUrl}${req.path}`.replace(/\/+$/, '');
    next(full === webhookPath ? undefined : 'router');
  };
  const jsonOnly: RequestHandler = (req, _res, next) => {
    if (req.is('application/json')) return next();
    if (req.is('application/x-www-form-urlencoded')) {
      throw new WebhookRejection(
        'unsupported_media_type',
        'form-encoded webhooks are not accepted; choose the JSON format in the BambooHR webhook settings',
      );
    }
    throw new WebhookRejection('unsupported_media_type', 'Content-Type must be application/json');
  };
  const rawBody = express.raw({ type: () => true, limit: deps.maxBodyBytes ?? 256 * 1024 });
  const receive: RequestHandler = async (req, res) => {
    const body = await receiveDelivery(deps, log, req);
    res.status(202).json(body);
  };
  const answerError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const rejection = asRejection(err);
    if (rejection.code === 'internal') log.error({ err, path: req.path }, 'BambooHR webhook failed');
    answer(res, rejection);
  };

  router.post(['/', webhookPath], onlyOurPath, jsonOnly, rawBody, receive, answerError);
  return router;
}

async function receiveDelivery(deps: BambooWebhookDeps, log: WebhookLogger, req: Request) {
  const receivedAt = deps.now();
  if (!deps.secret) throw new WebhookRejection('not_configured', 'the BambooHR webhook secret is not configured; unsigned events are refused');
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw)) throw new Error('request body was consumed before the BambooHR webhook router');

  const check = verifyBambooSignature({
    secret: deps.secret,
    rawBody: raw,
    signature: req.get('x-bamboohr-signature'),
    timestamp: req.get('x-bamboohr-timestamp'),
    now: receivedAt,
    windowMs: deps.windowMs,
  });
  if (!check.ok) {
    log.warn({ code: check.code, ip: req.ip }, 'BambooHR webhook signature rejected');
    throw new WebhookRejection(check.code, 'request signature rejected');
  }

  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new WebhookRejection('invalid_json', raw.length === 0 ? 'the body is empty' : `the body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = parseBambooPayload(json);
  if (!parsed.ok) throw new WebhookRejection('invalid_payload', `${parsed.path}: ${parsed.message}`, { field: parsed.path });

  const changes = uniqueBy(bambooChanges(parsed.payload), (c) => c.eventId);
  // A redelivery of stored events needs no API call: the stored copy is what counts.
  const known = await inboxCall(log, () => deps.inbox.find(changes.map((c) => c.eventId)));
  const thin = changes.filter((c) => !known.has(c.eventId) && missingFields(c).length > 0);
  const { records, gone } = await completeThin(deps, log, thin);

  const context = { receivedAt: receivedAt.toISOString(), via: 'webhook' as const, ...(req.ip ? { sourceIp: req.ip } : {}) };
  const events: HrEvent[] = [];
  let ignored = 0;
  for (const change of changes) {
    const stored = known.get(change.eventId);
    const event = stored
      ? stored.event
      : gone.has(change.employeeId) && missingFields(change).length > 0
        ? undefined // deleted meanwhile: its own deleted event follows
        : normalizeBambooChange(change, context, records.get(change.employeeId));
    if (event) events.push(event);
    else ignored += 1;
  }

  const deliveryId = createHash('sha256').update(raw).digest('hex');
  const delivered = await inboxCall(log, () => acceptEvents({ inbox: deps.inbox, dispatch: deps.dispatch, log }, events, { deliveryId }));
  const duplicates = delivered.filter((d) => d.duplicate).length;
  log.info({ accepted: delivered.length - duplicates, duplicates, ignored, deliveryId }, 'BambooHR webhook accepted');
  return { accepted: delivered.length - duplicates, duplicates, ignored, events: delivered };
}

/** Fetches each thin change's employee once, a few at a time; 404 marks the employee gone. */
async function completeThin(deps: BambooWebhookDeps, log: WebhookLogger, thin: BambooChange[]) {
  const records = new Map<string, BambooFieldValues>();
  const gone = new Set<string>();
  if (thin.length === 0) return { records, gone };
  const client = deps.client;
  if (!client) {
    const first = thin[0]!;
    throw new WebhookRejection(
      'thin_payload',
      `employee ${first.employeeId}: the payload lacks ${missingFields(first).join(', ')} and no BambooHR API client is configured ` +
        '(set BAMBOOHR_API_URL and BAMBOOHR_API_KEY, or post these fields in the webhook)',
      { employeeId: first.employeeId, missing: missingFields(first) },
    );
  }
  const ids = [...new Set(thin.map((c) => c.employeeId))];
  for (let i = 0; i < ids.length; i += apiConcurrency) {
    await Promise.all(
      ids.slice(i, i + apiConcurrency).map(async (id) => {
        try {
          records.set(id, await client.getEmployee(id));
        } catch (err) {
          if (err instanceof BambooHrClientError && err.code === 'bamboohr_not_found') {
            log.warn({ employeeId: id }, 'BambooHR employee not found while completing a webhook; skipped');
            gone.add(id);
            return;
          }
          const code = err instanceof BambooHrClientError ? err.code : 'bamboohr_unavailable';
          log.warn({ employeeId: id, code, err: (err as Error).message }, 'BambooHR API call failed; asking BambooHR to retry');
          throw new WebhookRejection('hris_unavailable', `could not complete the payload from the BambooHR API (${code}); retry later`);
        }
      }),
    );
  }
  return { records, gone };
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(key(item)) ? false : (seen.add(key(item)), true)));
}
