import type { Connector } from '../src/connectors/types';
import type { EvidenceInput, EvidenceRecord } from '../src/evidence/types';
import type { Logger } from '../src/log';
import type { Policy } from '../src/policy';
import type { ApprovalRecord, ApprovalRequest } from '../src/approvals/types';
import type { HrDirectory } from '../src/hris/directory';
import type { SlackApi } from '../src/slack/client';
import type { ReconcileDeps } from './reconcile';
import type { OrphanDeps } from './orphans';
import type { ReviewDeps } from './reviews';
import type { HoldStore } from '../src/leaver/hold-store';
import type { MassTerminationSettings } from '../src/leaver/mass-termination';
import type { MatchByFields } from '../src/identity/system-login';
import type { Inbox } from '../src/intake/inbox';

/** What activities need from the outside world; built once per worker. */
/** What activities count for Prometheus (src/metrics); absent in tests that do not look. */
export interface LeaverMetrics {
  /** A leaver's sessions ended everywhere, this many seconds after its clock started. */
  sessionsEnded(seconds: number): void;
  slaBreach(kind: 'sessions' | 'full_revoke'): void;
}

export interface ActivityDeps {
  connectors: ReadonlyMap<string, Connector>;
  metrics?: LeaverMetrics;
  evidence: {
    append(input: EvidenceInput): Promise<unknown>;
    /** Whether the engine found or acted on the worker's account in that system before. */
    accountSeen?(q: { hrSource: string; employeeId: string; system: string }): Promise<boolean>;
    /** Everything a workflow recorded (the SLA check reads its own steps). */
    forWorkflows?(workflowIds: readonly string[]): Promise<EvidenceRecord[]>;
  };
  leaver: {
    sessionKillSlaMs: number;
    fullRevokeSlaMs: number;
    cutoffLocalTime: string;
    defaultTimeZone: string;
    /** leaver.massTermination; absent: no leaver is ever held. */
    massTermination?: MassTerminationSettings & { thresholdText: string };
  };
  /** Where leavers are counted and mass-termination holds kept (with leaver.massTermination). */
  holds?: Pick<HoldStore, 'admit' | 'get' | 'members' | 'setMessage' | 'decide'>;
  policy: Policy;
  /** Systems whose accounts are matched by an HR field rather than the work email (identity.hrFields). */
  matchBy?: MatchByFields;
  approvals: {
    store: {
      request(a: ApprovalRequest): Promise<ApprovalRecord>;
      decide(id: string, d: { status: 'approved' | 'rejected' | 'expired' | 'cancelled'; decidedBy: string; reason?: string; decidedAt: string }): Promise<unknown>;
    };
    timeoutMs: number;
    remindEveryMs?: number;
    /** When the fallback approvers are asked too; 0 never. */
    escalateAfterMs?: number;
    /** Slack user IDs asked when the manager cannot be found, and on escalation. */
    fallbackApprovers?: string[];
  };
  /** Slack Web API; absent without SLACK_BOT_TOKEN (approvals through the API, notifications to the log). */
  slack?: Pick<SlackApi, 'userByEmail' | 'post' | 'update'>;
  /** The intake's stored HR events: a workflow acts only on events found there (absent: none verifies). */
  inbox?: Pick<Inbox, 'get' | 'historyOf'>;
  /** HRIS look-ups (a manager's work email). */
  directory?: HrDirectory;
  notifications?: { securityChannel?: string };
  /** Missed-event polls; absent on a worker that does not poll. */
  reconcile?: ReconcileDeps;
  /** Orphan-account reconciliation; absent on a worker that does not run it. */
  orphans?: OrphanDeps;
  /** Access reviews; absent on a worker that does not run them. */
  reviews?: ReviewDeps;
  joiner: { provisionLeadTimeMs: number; startLocalTime: string };
  mover: { revokeOldAccessAfterMs: number };
  log: Logger;
  now?: () => Date;
}
