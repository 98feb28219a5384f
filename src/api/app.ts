import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { Database } from '../db/database';
import type { EvidenceStore } from '../evidence/store';
import type { Inbox } from '../intake/inbox';
import type { Logger } from '../log';
import { approvalRouter } from './approval-routes';
import { auditRouter } from './audit-routes';
import type { ApiTokens } from './auth';
import { bambooReceiver, type BambooReceiverOptions } from '../hris/bamboohr/receiver';
import { workdayReceiver, type WorkdayReceiverOptions } from '../hris/workday/receiver';
import { webhookRouter } from './webhook-router';
import { codecRouter, type CodecRouteDeps } from './codec-routes';
import { employeeRouter, type EmployeeRouteDeps } from './employee-routes';
import type { ApprovalRouteDeps } from './approval-routes';
import { healthRouter, type HealthCheck } from './health';
import { holdRouter, type HoldRouteDeps } from './hold-routes';
import { reviewRouter, type ReviewRouteDeps } from './review-routes';
import { metricsText } from '../metrics/sdk-metrics';
import { webhookOutcome, type EngineMetrics } from '../metrics/engine-metrics';
import type { TrustProxy } from '../config/trust-proxy';
import { limitAuthFailures, type AuthFailureLimit } from './auth-failures';
import { consoleRouter } from '../console/router';
import type { TemporalUi } from '../console/pages/layout';

export interface AppDeps {
  db: Database;
  evidence: EvidenceStore;
  inbox: Inbox;
  /** Wakes the inbox dispatcher once a delivery is stored (with the number of events waiting). */
  handOver: (waiting: number) => void;
  tokens: ApiTokens;
  bamboohr: BambooReceiverOptions;
  workday: WorkdayReceiverOptions;
  health: HealthCheck[];
  metrics: EngineMetrics;
  /** The Temporal SDK's series of this process, added to /metrics (a worker in the same process). */
  sdkMetrics?: () => Promise<string>;
  log: Logger;
  now?: () => Date;
  /** Codec endpoint for the Temporal UI; absent: the routes answer 404 not_configured. */
  codec?: Omit<CodecRouteDeps, 'tokens' | 'logger'>;
  approvals: Omit<ApprovalRouteDeps, 'tokens'>;
  /** Mass-termination holds: `POST /api/leavers/hold/:id`. */
  holds: Omit<HoldRouteDeps, 'tokens'>;
  /** Access reviews: decisions (admin) and the campaign report (auditor). */
  reviews: Omit<ReviewRouteDeps, 'tokens'>;
  /** Worker view and preview: Temporal for the status, connectors for fresh reads, the policy. */
  employees: Omit<EmployeeRouteDeps, 'tokens'>;
  /** Bolt's `POST /slack/events` (it verifies Slack's signature and parses its own body); absent without Slack. */
  slack?: Router;
  /** Repeated 401s from one address answered 429 (default 20 a minute, then a minute's refusal). */
  authFailures?: AuthFailureLimit;
  /** Express `trust proxy` (JML_TRUST_PROXY); default loopback only. */
  trustProxy?: TrustProxy;
  /** Where the console links workflows to (the Temporal Web UI); absent: IDs are shown as text. */
  temporalUi?: TemporalUi;
}

/** The HTTP API: health, HR webhooks, Slack interactivity, auditor and employee routes, the Temporal codec endpoint, metrics. Routers own their body parsing. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For is believed: what req.ip is (evidence "where", the 401 count).
  app.set('trust proxy', deps.trustProxy ?? ['loopback']);
  app.use((req, res, next) => {
    const stop = deps.metrics.httpDuration.startTimer();
    res.on('finish', () => stop({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });

  app.use(healthRouter(deps.health));
  // Where a bad token or signature is answered 401: webhooks, the API, the codec endpoint, the console's sign-in.
  app.use(['/webhooks', '/api', '/codec', '/console'], limitAuthFailures(deps.authFailures));
  if (deps.slack) app.use(deps.slack);
  app.use(
    webhookRouter({
      receivers: [bambooReceiver(deps.bamboohr), workdayReceiver(deps.workday)],
      inbox: deps.inbox,
      handOver: deps.handOver,
      now: deps.now ?? (() => new Date()),
      logger: deps.log,
      onAnswer: (source, status) => deps.metrics.webhooks.inc({ source, outcome: webhookOutcome(status) }),
    }),
  );
  app.use(auditRouter({ db: deps.db, evidence: deps.evidence, tokens: deps.tokens }));
  app.use(approvalRouter({ ...deps.approvals, tokens: deps.tokens }));
  app.use(holdRouter({ ...deps.holds, tokens: deps.tokens }));
  app.use(reviewRouter({ ...deps.reviews, tokens: deps.tokens }));
  app.use(employeeRouter({ ...deps.employees, tokens: deps.tokens }));
  app.use(codecRouter({ codec: undefined, corsOrigins: [], ...deps.codec, tokens: deps.tokens, logger: deps.log }));
  app.use(
    consoleRouter({
      db: deps.db,
      evidence: deps.evidence,
      tokens: deps.tokens,
      approvals: deps.approvals.approvals,
      decide: deps.approvals.decide,
      reviews: deps.reviews,
      ...(deps.temporalUi ? { temporalUi: deps.temporalUi } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await metricsText(deps.metrics, deps.sdkMetrics));
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such route' });
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const status = typeof err === 'object' && err && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) deps.log.error({ err }, 'request failed');
    res.status(status).json({ error: status >= 500 ? 'internal' : 'bad_request', message: status >= 500 ? 'internal error' : String((err as Error).message) });
  };
  app.use(onError);
  return app;
}
