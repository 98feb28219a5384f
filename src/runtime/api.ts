import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import type { AppConfig } from '../config/load';
import { createDispatcher } from '../intake/dispatch';
import { startDrainer } from '../intake/drainer';
import { Inbox } from '../intake/inbox';
import type { Logger } from '../log';
import { codecFor } from '../temporal/codec';
import { createApprovalDecider } from '../approvals/decide';
import { slackRouter } from '../slack/app';
import { ensureReconcileSchedules } from '../temporal/schedules';
import { workdayProcesses } from '../hris/workday/normalize';
import { workdayReadBack } from '../hris/workday/read-back';
import { bambooHrClient, reconcilePlans, workdayClient, type Services } from './services';

export interface RunningApi {
  url: string;
  port: number;
  /** The reconciliation schedules this process made sure of. */
  schedules: string[];
  close(): Promise<void>;
}

/** Serves the HTTP API on PORT (0 picks a free one) and drains the inbox into Temporal. */
export async function startApi(options: {
  config: AppConfig;
  services: Services;
  client: Client;
  log: Logger;
  host?: string;
  /** `jml dev`: codec requests made on this machine need no token (see codec-routes.ts). */
  codecOpenOnLoopback?: boolean;
}): Promise<RunningApi> {
  const { config, services, client, log } = options;
  const env = config.env;
  const inbox = new Inbox(services.db);
  const dispatch = createDispatcher(client, env.TEMPORAL_TASK_QUEUE, { eventsPerRun: env.JML_ENTITY_EVENTS_PER_RUN });
  const bambooClient = bambooHrClient(config);
  const decide = createApprovalDecider(client, services.approvals);
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
          evidence: services.evidence,
          log,
        })
      : undefined;
  const app = createApp({
    db: services.db,
    evidence: services.evidence,
    inbox,
    dispatch,
    tokens: env.JML_API_TOKENS,
    bamboohr: { secret: env.BAMBOOHR_WEBHOOK_SECRET, windowMs: config.file.hris.bamboohr?.signatureWindow ?? 300_000, client: bambooClient },
    workday: {
      secret: env.WORKDAY_WEBHOOK_SECRET,
      auth: workdaySettings?.webhookAuth ?? 'signature',
      basicUsername: workdaySettings?.webhookUsername ?? 'workday',
      windowMs: workdaySettings?.signatureWindow ?? 300_000,
      toEvent: workday
        ? workdayReadBack(workday, workdayProcesses(workdaySettings?.businessProcesses))
        : async () => {
            throw Object.assign(new Error('WORKDAY_API_URL, WORKDAY_USERNAME and WORKDAY_PASSWORD are not set: workers cannot be read back'), { retryable: false, code: 'workday_not_configured' });
          },
    },
    health: [
      { name: 'database', check: async () => void (await services.db.query('SELECT 1')) },
      { name: 'temporal', check: async () => void (await client.connection.workflowService.getSystemInfo({})) },
    ],
    metrics: createMetrics(),
    log,
    approvals: { approvals: services.approvals, decide },
    employees: { client, connectors: services.connectors, policy: config.file.policy },
    slack,
    codec: { codec: codecFor(env), corsOrigins: env.JML_CODEC_CORS_ORIGINS, openOnLoopback: options.codecOpenOnLoopback },
  });
  const schedules = await ensureReconcileSchedules(client, env.TEMPORAL_TASK_QUEUE, reconcilePlans(config, services));
  if (schedules.length > 0) log.info({ schedules }, 'reconciliation schedules in place');
  const drainer = startDrainer({ inbox, dispatch, log });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(env.PORT, options.host ?? '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    schedules,
    async close() {
      await drainer.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
