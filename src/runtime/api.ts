import type { Server } from 'node:http';
import { matchByFields } from '../connectors/catalog';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { registerDatabaseGauges } from '../metrics/engine-metrics';
import type { AppConfig } from '../config/load';
import { createDispatcher } from '../intake/dispatch';
import { InboxDispatcher, type DispatcherOptions } from '../intake/dispatcher';
import { Inbox } from '../intake/inbox';
import type { Logger } from '../log';
import { codecFor } from '../temporal/codec';
import { createApprovalDecider } from '../approvals/decide';
import { slackRouter } from '../slack/app';
import { createHoldDecider } from '../leaver/hold-decide';
import { ensureSchedulesInBackground } from '../temporal/schedules';
import { workdayHrFields, workdayProcesses } from '../hris/workday/normalize';
import { workdayReadBack } from '../hris/workday/read-back';
import { bambooHrClient, orphanPlan, reconcilePlans, workdayClient, type Services } from './services';
import type { HealthCheck } from '../api/health';
import { cachedSystemCheck } from '../connectors/health';
import type { Connector } from '../connectors/types';
import type { TemporalUi } from '../console/pages/layout';

export interface RunningApi {
  url: string;
  port: number;
  /** The reconciliation schedules this process makes sure of. */
  schedules: string[];
  /** Settles once they are in place (they are retried in the background while Temporal is unreachable). */
  schedulesReady: Promise<void>;
  /** Hands stored events over to Temporal (the API wakes it for every delivery). */
  dispatcher: InboxDispatcher;
  close(): Promise<void>;
}

/** How the API hands stored events over; the defaults suit production, tests shorten them. */
export type IntakeOptions = Omit<DispatcherOptions, 'inbox' | 'dispatch' | 'log'> & { dispatchTimeoutMs?: number };

/**
 * Serves the HTTP API on PORT (0 picks a free one) and hands the inbox over to Temporal. Starts
 * and serves whether or not Temporal answers: webhooks are answered once stored, the hand-over
 * and the reconciliation schedules follow when Temporal is reachable.
 */
export async function startApi(options: {
  config: AppConfig;
  services: Services;
  client: Client;
  log: Logger;
  host?: string;
  /** `jml dev`: codec requests made on this machine need no token (see codec-routes.ts). */
  codecOpenOnLoopback?: boolean;
  /** The Temporal SDK's series, when a worker runs in this process (jml dev, tests). */
  sdkMetrics?: () => Promise<string>;
  intake?: IntakeOptions;
  /** Where the console links workflows to; default JML_TEMPORAL_UI_URL (jml dev: its embedded UI). */
  temporalUiUrl?: string;
}): Promise<RunningApi> {
  const { config, services, client, log } = options;
  const env = config.env;
  const inbox = new Inbox(services.db);
  const { dispatchTimeoutMs, ...dispatcherOptions } = options.intake ?? {};
  const dispatch = createDispatcher(client, env.TEMPORAL_TASK_QUEUE, { eventsPerRun: env.JML_ENTITY_EVENTS_PER_RUN, timeoutMs: dispatchTimeoutMs });
  const dispatcher = new InboxDispatcher({ inbox, dispatch, log, ...dispatcherOptions });
  const bambooClient = bambooHrClient(config);
  const decide = createApprovalDecider(client, services.approvals);
  const massTermination = config.file.leaver.massTermination;
  const decideHold = createHoldDecider(client, services.holds, {
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    ...(massTermination ? { settings: { remindEveryMs: massTermination.remindEvery, escalateAfterMs: massTermination.escalateAfter, deciders: massTermination.deciders } } : {}),
    fallbackApprovers: config.file.approvals.fallbackApprovers,
  });
  const workday = workdayClient(config);
  const workdaySettings = config.file.hris.workday;
  const slack =
    services.slack && env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET
      ? slackRouter({
          signingSecret: env.SLACK_SIGNING_SECRET,
          botToken: env.SLACK_BOT_TOKEN,
          apiUrl: env.SLACK_API_URL,
          slack: services.slack,
          approvals: services.approvals,
          decide,
          decideHold,
          reviews: { client, reviews: services.reviews },
          evidence: services.evidence,
          log,
        })
      : undefined;
  registerDatabaseGauges(services.metrics, { inboxPending: () => inbox.countPending(), approvalsPending: () => services.approvals.countPending() });
  const app = createApp({
    db: services.db,
    evidence: services.evidence,
    inbox,
    handOver: (waiting) => dispatcher.wake(waiting),
    tokens: env.JML_API_TOKENS,
    authFailures: { maxFailures: env.JML_AUTH_FAILURE_LIMIT },
    trustProxy: env.JML_TRUST_PROXY,
    bamboohr: {
      secret: env.BAMBOOHR_WEBHOOK_SECRET,
      windowMs: config.file.hris.bamboohr?.signatureWindow ?? 300_000,
      client: bambooClient,
      hrFields: config.file.identity.hrFields,
    },
    workday: {
      secret: env.WORKDAY_WEBHOOK_SECRET,
      auth: workdaySettings?.webhookAuth ?? 'signature',
      basicUsername: workdaySettings?.webhookUsername ?? 'workday',
      windowMs: workdaySettings?.signatureWindow ?? 300_000,
      evidence: services.evidence,
      toEvent: workday
        ? workdayReadBack(workday, workdayProcesses(workdaySettings?.businessProcesses), workdayHrFields(config.file.identity.hrFields))
        : async () => {
            throw Object.assign(new Error('WORKDAY_API_URL, WORKDAY_USERNAME and WORKDAY_PASSWORD are not set: workers cannot be read back'), { retryable: false, code: 'workday_not_configured' });
          },
    },
    health: [
      { name: 'database', required: true, check: async () => void (await services.db.query('SELECT 1')) },
      {
        name: 'temporal',
        required: false,
        check: async () => void (await client.connection.withDeadline(Date.now() + 2000, () => client.connection.workflowService.getSystemInfo({}))),
      },
      ...systemHealthChecks(services.connectors),
    ],
    metrics: services.metrics,
    ...(options.sdkMetrics ? { sdkMetrics: options.sdkMetrics } : {}),
    log,
    approvals: { approvals: services.approvals, decide },
    holds: { holds: services.holds, decide: decideHold },
    reviews: { client, reviews: services.reviews },
    employees: { client, connectors: services.connectors, policy: config.file.policy, matchBy: matchByFields(config.file.systems) },
    slack,
    codec: { codec: codecFor(env), corsOrigins: env.JML_CODEC_CORS_ORIGINS, openOnLoopback: options.codecOpenOnLoopback },
    ...temporalUiOf(options.temporalUiUrl ?? env.JML_TEMPORAL_UI_URL, env.TEMPORAL_NAMESPACE),
  });
  const schedules = ensureSchedulesInBackground(client, env.TEMPORAL_TASK_QUEUE, { hris: reconcilePlans(config, services), orphans: orphanPlan(config, services), ...(config.file.systems.length > 0 ? { reviews: config.file.reviews } : {}) }, log);
  const server: Server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(env.PORT, options.host ?? '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  }).catch((err: unknown) => {
    schedules.stop();
    throw err;
  });
  dispatcher.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    schedules: schedules.ids,
    schedulesReady: schedules.ready,
    dispatcher,
    async close() {
      schedules.stop();
      await dispatcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function temporalUiOf(url: string | undefined, namespace: string): { temporalUi?: TemporalUi } {
  return url ? { temporalUi: { url: url.replace(/\/+$/, ''), namespace } } : {};
}

/**
 * One check per connected system (`system:<id>`), not required: webhooks are still taken while a
 * system is down (its steps retry). Cached for a minute so polling never spends its rate limit.
 */
function systemHealthChecks(connectors: Map<string, Connector>): HealthCheck[] {
  return [...connectors.values()].map((connector) => {
    const check = cachedSystemCheck(connector);
    return {
      name: `system:${connector.id}`,
      required: false,
      check: async () => {
        const { problems } = await check();
        if (problems.length > 0) throw new Error(problems.join('; '));
      },
    };
  });
}
