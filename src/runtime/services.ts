import { join } from 'node:path';
import type { AppConfig } from '../config/load';
import { createConnectors } from '../connectors/registry';
import type { Connector } from '../connectors/types';
import { openDatabase, type Database } from '../db/database';
import { migrate } from '../db/migrate';
import { EvidenceStore } from '../evidence/store';
import { ApprovalStore } from '../approvals/store';
import type { ActivityDeps } from '../../activities';
import type { Logger } from '../log';

/** The long-lived clients both processes share: database (migrated), evidence store, connectors. */
export interface Services {
  db: Database;
  evidence: EvidenceStore;
  approvals: ApprovalStore;
  connectors: Map<string, Connector>;
  close(): Promise<void>;
}

export async function openServices(config: AppConfig, log: Logger, options: { pgliteDir?: string } = {}): Promise<Services> {
  const url = config.env.DATABASE_URL;
  const db = await openDatabase(url ? { url } : { dataDir: options.pgliteDir ?? join(config.env.JML_DATA_DIR, 'pgdata') });
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  return createServices(db, config);
}

/** Services over an open, migrated database (tests bring their own schema). */
export function createServices(db: Database, config: AppConfig): Services {
  return {
    db,
    evidence: new EvidenceStore(db),
    approvals: new ApprovalStore(db),
    connectors: createConnectors(config.file.systems, config.secrets),
    close: () => db.close(),
  };
}

export function activityDeps(config: AppConfig, services: Services, log: Logger): ActivityDeps {
  return {
    connectors: services.connectors,
    evidence: services.evidence,
    leaver: {
      sessionKillSlaMs: config.file.sla.leaverSessionKill,
      fullRevokeSlaMs: config.file.sla.leaverFullRevoke,
      cutoffLocalTime: config.file.leaver.cutoffLocalTime,
      defaultTimeZone: config.file.leaver.defaultTimeZone,
    },
    policy: config.file.policy,
    approvals: { store: services.approvals, timeoutMs: config.file.approvals.timeout },
    joiner: { provisionLeadTimeMs: config.file.joiner.provisionLeadTime, startLocalTime: config.file.joiner.startLocalTime },
    mover: { revokeOldAccessAfterMs: config.file.mover.revokeOldAccessAfter },
    log,
  };
}
