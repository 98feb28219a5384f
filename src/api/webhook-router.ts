import { startServerSpan } from '../tracing/context';
import { createHash } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { HrEvent, HrSource } from '../hris/hr-event';
import type { HrReceiver, RefusedEmployee } from '../hris/receiver';
import { acceptEvents, type IntakeDeps, type IntakeLogger } from '../intake/accept';
import type { Inbox } from '../intake/inbox';
import { safeError } from '../intake/safe-error';
import { answer, asRejection, inboxCall, WebhookRejection } from './webhook-errors';

/**
 * Every HR webhook, whichever HRIS sends it, takes one path: size and type -> authenticate
 * (signature or credentials) -> the source turns the body into HrEvents (parse, validate,
 * complete or read back from the HRIS) -> store in the inbox -> answer. The source's receiver
 * (src/hris/<source>/receiver.ts) says what differs; the status of a refusal comes from its
 * code (./webhook-errors.ts). Nothing is stored or started for a refused request.
 */
export interface WebhookRouterDeps {
  receivers: readonly HrReceiver[];
  inbox: Inbox;
  /** Hands stored events to the workflows (see src/intake/accept.ts). */
  handOver: IntakeDeps['handOver'];
  now: () => Date;
  logger?: IntakeLogger;
  /** Told the status of every answered delivery (metrics). */
  onAnswer?: (source: HrSource, status: number) => void;
}

export interface WebhookAnswer {
  accepted: number;
  duplicates: number;
  ignored: number;
  events: Awaited<ReturnType<typeof acceptEvents>>;
  refused?: RefusedEmployee[];
}

const silent: IntakeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Mount it at the root (it serves each receiver's path) or under one receiver's path (it
 * serves that mount point). Mount it before any app-wide body parser: signatures cover raw bytes.
 */
export function webhookRouter(deps: WebhookRouterDeps): Router {
  const log = deps.logger ?? silent;
  const router = express.Router();
  for (const receiver of deps.receivers) {
    const onlyOurPath: RequestHandler = (req, res, next) => {
      const full = `${req.baseUrl}${req.path}`.replace(/\/+$/, '');
      if (full !== receiver.path) return next('route');
      if (deps.onAnswer) res.on('finish', () => deps.onAnswer?.(receiver.source, res.statusCode));
      const span = startServerSpan(`POST ${receiver.path}`);
      res.locals.span = span;
      res.on('finish', () => span.end(res.statusCode));
      next();
    };
    const typeCheck: RequestHandler = (req, _res, next) => {
      const problem = receiver.contentTypeProblem((type) => Boolean(req.is(type)));
      if (problem) throw new WebhookRejection('unsupported_media_type', problem);
      next();
    };
    const rawBody = express.raw({ type: () => true, limit: receiver.maxBodyBytes });
    const receive: RequestHandler = async (req, res) => {
      const span = res.locals.span as ReturnType<typeof startServerSpan>;
      res.status(202).json(await span.within(() => receiveDelivery(deps, receiver, log, req)));
    };
    const answerError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
      const rejection = asRejection(err);
      if (rejection.code === 'internal') log.error({ err: safeError(err), path: req.path }, `${receiver.label} webhook failed`);
      if (receiver.challenge && (rejection.code === 'missing_credentials' || rejection.code === 'bad_credentials')) res.set('WWW-Authenticate', receiver.challenge);
      answer(res, rejection);
    };
    router.post(['/', receiver.path], onlyOurPath, typeCheck, rawBody, receive, answerError);
  }
  return router;
}

async function receiveDelivery(deps: WebhookRouterDeps, receiver: HrReceiver, log: IntakeLogger, req: Request): Promise<WebhookAnswer> {
  const receivedAt = deps.now();
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw)) throw new Error(`request body was consumed before the ${receiver.label} webhook router`);
  try {
    receiver.authenticate(raw, (name) => req.get(name), receivedAt);
  } catch (err) {
    if (err instanceof WebhookRejection && err.code !== 'not_configured') log.warn({ code: err.code, ip: req.ip }, `${receiver.label} webhook authentication rejected`);
    throw err;
  }

  const received = await receiver.toEvents(raw, {
    receivedAt,
    ...(req.ip ? { sourceIp: req.ip } : {}),
    log,
    stored: (eventIds) =>
      inboxCall(log, async () => new Map<string, HrEvent>([...(await deps.inbox.find(eventIds))].map(([id, row]) => [id, row.event]))),
  });
  const { events, ignored, refused } = received;
  if (refused.length > 0 && events.length === 0 && ignored === 0) {
    // Nothing in the delivery can be taken: the sender must fix it, a retry will not help.
    const first = refused[0]!;
    log.warn({ source: receiver.source, refused: refused.map(({ employeeId, field }) => ({ employeeId, field })) }, `${receiver.label} webhook refused`);
    throw new WebhookRejection('invalid_payload', `${first.field}: ${first.reason} (employee ${first.employeeId})`, { field: first.field, employeeId: first.employeeId, refused });
  }

  const deliveryId = createHash('sha256').update(raw).digest('hex');
  const delivered = await inboxCall(log, () => acceptEvents({ inbox: deps.inbox, handOver: deps.handOver, log }, events, { deliveryId }));
  const duplicates = delivered.filter((d) => d.duplicate).length;
  const accepted = delivered.length - duplicates;
  log.info(
    { source: receiver.source, accepted, duplicates, ignored, refused: refused.length, deliveryId, ...received.logged },
    `${receiver.label} webhook accepted`,
  );
  return { accepted, duplicates, ignored, events: delivered, ...(refused.length > 0 ? { refused } : {}) };
}
