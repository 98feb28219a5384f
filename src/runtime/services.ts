import { join } from 'node:path';
import type { AppConfig } from '../config/load';
import { createConnectors } from '../connectors/registry';
import type { Pacer } from '../connectors/pacer';
import type { Connector } from '../connectors/types';
import type { Database } from '../db/database';
import { openProcessDatabase, type ProcessDatabase } from './database-setup';
import { EvidenceStore } from '../evidence/store';
import { ApprovalStore } from '../approvals/store';
import { HoldStore } from '../leaver/hold-store';
import { thresholdText } from '../leaver/mass-termination';
import { BambooHrClient } from '../hris/bamboohr/client';
import { matchByFields } from '../connectors/catalog';
import { createHrDirectory, type HrDirectory } from '../hris/directory';
import { SlackApi } from '../slack/client';
import { Inbox } from '../intake/inbox';
import { bambooHrPoller } from '../reconcile/bamboohr-poller';
import { workdayPoller } from '../reconcile/workday-poller';
import { WorkdayClient } from '../hris/workday/client';
import { workdayHrFields, workdayProcesses } from '../hris/workday/normalize';
import type { HrisPollers } from '../reconcile/poller';
import { WatermarkStore } from '../reconcile/watermarks';
import type { ReconcilePlan } from '../temporal/schedules';
import type { OrphanPlan } from '../temporal/orphan-schedule';
import { OrphanStore } from '../orphans/store';
import { ReviewStore } from '../reviews/store';
import { ReviewMessageStore } from '../reviews/message-store';
import { ReviewWorkerStore } from '../reviews/worker-store';
import type { ActivityDeps } from '../../activities';
import type { Logger } from '../log';
import type { EvidenceInput } from '../evidence/types';
import { connectorMetrics } from '../metrics/connector-metrics';
import { createEngineMetrics, type EngineMetrics } from '../metrics/engine-metrics';

/** The long-lived clients both processes share: database (migrated), evidence store, connectors. */
export interface Services {
  db: Database;
  evidence: EvidenceStore;
  approvals: ApprovalStore;
  /** Leavers counted per HRIS and the mass-termination holds they open. */
  holds: HoldStore;
  connectors: Map<string, Connector>;
  /** Each system's request pacer, to share the configured limits among worker processes. */
  pacers: Pacer[];
  /** Slack Web API, when SLACK_BOT_TOKEN is set. */
  slack?: SlackApi;
  directory: HrDirectory;
  watermarks: WatermarkStore;
  /** One poller per HRIS whose API is configured. */
  pollers: HrisPollers;
  /** Orphan accounts found by reconciliation. */
  orphans: OrphanStore;
  /** Access-review campaigns and their items. */
  reviews: ReviewStore;
  /** This process's Prometheus series (the API's /metrics, a worker's metrics port). */
  metrics: EngineMetrics;
  /** Told of every evidence row this process stored or found stored, as stored (the admin digest listens). */
  evidenceStored: Set<(input: EvidenceInput) => void>;
  close(): Promise<void>;
}

/**
 * The services of `jml dev`, `jml server` or `jml worker`, on a database whose schema is current
 * and, in production, as a role that cannot change evidence (see openProcessDatabase).
 */
export async function openServices(
  config: AppConfig,
  log: Logger,
  command: 'dev' | 'server' | 'worker',
  options: { pgliteDir?: string } = {},
): Promise<Services & { databaseRole: ProcessDatabase['role'] }> {
  const { db, role } = await openProcessDatabase(config, log, command, options.pgliteDir ?? join(config.env.JML_DATA_DIR, 'pgdata'));
  return { ...createServices(db, config, log), databaseRole: role };
}

/** Services over an open, migrated database (tests bring their own schema). */
export function createServices(db: Database, config: AppConfig, log?: Logger): Services {
  const pacers: Pacer[] = [];
  const metrics = createEngineMetrics();
  const evidenceStored = new Set<(input: EvidenceInput) => void>();
  return {
    db,
    metrics,
    evidenceStored,
    evidence: new EvidenceStore(db, {
      onAppend: (outcome, seconds, event) => {
        metrics.evidenceAppends.inc({ outcome });
        if (outcome !== 'stored') return;
        metrics.evidenceAppendSeconds.observe(seconds);
        for (const listener of evidenceStored) listener(event);
      },
    }),
    approvals: new ApprovalStore(db),
    holds: new HoldStore(db),
    connectors: createConnectors(config.file.systems, config.secrets, { ...(log ? { log } : {}), onPacer: (p) => pacers.push(p), metrics: connectorMetrics(metrics) }),
    pacers,
    ...(config.env.SLACK_BOT_TOKEN ? { slack: new SlackApi({ token: config.env.SLACK_BOT_TOKEN, apiUrl: config.env.SLACK_API_URL }) } : {}),
    directory: createHrDirectory({ bamboohr: bambooHrClient(config), workday: workdayClient(config) }),
    watermarks: new WatermarkStore(db),
    pollers: pollersFor(config),
    orphans: new OrphanStore(db),
    reviews: new ReviewStore(db),
    close: () => db.close(),
  };
}

export function activityDeps(config: AppConfig, services: Services, log: Logger): ActivityDeps {
  const { metrics } = services;
  return {
    connectors: services.connectors,
    metrics: {
      sessionsEnded: (seconds) => metrics.sessionsEnded.observe(seconds),
      slaBreach: (kind) => metrics.slaBreaches.inc({ kind }),
    },
    evidence: services.evidence,
    leaver: {
      sessionKillSlaMs: config.file.sla.leaverSessionKill,
      fullRevokeSlaMs: config.file.sla.leaverFullRevoke,
      cutoffLocalTime: config.file.leaver.cutoffLocalTime,
      defaultTimeZone: config.file.leaver.defaultTimeZone,
      ...massTerminationOf(config),
    },
    holds: services.holds,
    policy: config.file.policy,
    matchBy: matchByFields(config.file.systems),
    approvals: {
      store: services.approvals,
      timeoutMs: config.file.approvals.timeout,
      remindEveryMs: config.file.approvals.remindEvery,
      escalateAfterMs: config.file.approvals.escalateAfter,
      fallbackApprovers: config.file.approvals.fallbackApprovers,
    },
    slack: services.slack,
    directory: services.directory,
    inbox: new Inbox(services.db),
    notifications: { securityChannel: config.file.sla.securityChannel },
    reconcile: {
      watermarks: services.watermarks,
      inbox: new Inbox(services.db),
      pollers: services.pollers,
      firstLookbackMs: 86_400_000,
      overlapMs: 60_000,
      webhookGraceMs: { bamboohr: config.file.hris.bamboohr?.webhookGrace ?? 120_000, workday: config.file.hris.workday?.webhookGrace ?? 120_000 },
      eventsPerRun: config.env.JML_ENTITY_EVENTS_PER_RUN,
    },
    orphans: { store: services.orphans, db: services.db, graceMs: config.file.sla.leaverFullRevoke },
    reviews: {
      store: services.reviews,
      workers: new ReviewWorkerStore(services.db),
      messages: new ReviewMessageStore(services.db),
      db: services.db,
      fallbackReviewers: config.file.reviews.fallbackReviewers,
      settings: config.file.reviews,
    },
    joiner: { provisionLeadTimeMs: config.file.joiner.provisionLeadTime, startLocalTime: config.file.joiner.startLocalTime },
    mover: { revokeOldAccessAfterMs: config.file.mover.revokeOldAccessAfter },
    log,
  };
}

/** The BambooHR API client, when BAMBOOHR_API_URL and BAMBOOHR_API_KEY are set. */
export function bambooHrClient(config: AppConfig): BambooHrClient | undefined {
  const { BAMBOOHR_API_URL: apiUrl, BAMBOOHR_API_KEY: apiKey } = config.env;
  return apiUrl && apiKey ? new BambooHrClient({ apiUrl, apiKey }) : undefined;
}

function pollersFor(config: AppConfig): HrisPollers {
  const bamboohr = bambooHrClient(config);
  const workday = workdayClient(config);
  const hrFields = config.file.identity.hrFields;
  return {
    ...(bamboohr ? { bamboohr: bambooHrPoller(bamboohr, { hrFields }) } : {}),
    ...(workday ? { workday: workdayPoller(workday, workdayProcesses(config.file.hris.workday?.businessProcesses), workdayHrFields(hrFields)) } : {}),
  };
}

/** The Workday Human_Resources client, when WORKDAY_API_URL, WORKDAY_USERNAME and WORKDAY_PASSWORD are set. */
export function workdayClient(config: AppConfig): WorkdayClient | undefined {
  const { WORKDAY_API_URL: apiUrl, WORKDAY_USERNAME: username, WORKDAY_PASSWORD: password } = config.env;
  return apiUrl && username && password ? new WorkdayClient({ apiUrl, username, password }) : undefined;
}

/** A schedule per HRIS that can be polled, every `hris.<source>.pollEvery` (0 turns it off). */
export function reconcilePlans(config: AppConfig, services: Pick<Services, 'pollers'>): ReconcilePlan[] {
  const every = { bamboohr: config.file.hris.bamboohr?.pollEvery ?? 900_000, workday: config.file.hris.workday?.pollEvery ?? 900_000 };
  return (Object.keys(services.pollers) as (keyof typeof every)[]).filter((source) => every[source] > 0).map((source) => ({ source, everyMs: every[source] }));
}

/** The orphan reconciliation schedule, every `orphans.every`, when a system can list its accounts. */
export function orphanPlan(config: AppConfig, services: Pick<Services, 'connectors'>): OrphanPlan | undefined {
  const listable = [...services.connectors.values()].some((c) => typeof c.listAccounts === 'function');
  return listable && config.file.orphans.every > 0 ? { everyMs: config.file.orphans.every } : undefined;
}

/** leaver.massTermination as the leaver steps take it; absent: no leaver is held. */
function massTerminationOf(config: AppConfig): Pick<ActivityDeps['leaver'], 'massTermination'> {
  const m = config.file.leaver.massTermination;
  if (!m) return {};
  return {
    massTermination: {
      threshold: m.threshold,
      thresholdText: thresholdText(m.threshold),
      windowMs: m.window,
      holdSessionKills: m.holdSessionKills,
      remindEveryMs: m.remindEvery,
      escalateAfterMs: m.escalateAfter,
      deciders: m.deciders,
    },
  };
}
