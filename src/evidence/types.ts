/** One evidence event: who, what, when, where, outcome, context (SOC 2 CC6.2/CC6.3, CC7.2). */
export const outcomes = ['success', 'failure', 'skipped', 'not_found', 'sla_breach'] as const;
export type Outcome = (typeof outcomes)[number];

export type ActorType = 'hr' | 'system' | 'approver' | 'engine';

/**
 * Action names in use (new ones may be added; reports key on these):
 *  hr_event.received, hr_event.unverified (not as the inbox stored it: refused), leaver.started,
 *  leaver.effective, sessions.kill, account.disable,
 *  entitlement.revoke, leaver.sessions_killed, leaver.sla_breach, leaver.completed,
 *  orphan.detected, orphan.resolved, orphans.reconciled (orphan-account reconciliation)
 */
export interface EvidenceInput {
  /** Idempotency key of the step: a retried step with the same key never writes twice. */
  stepKey: string;
  employeeId: string;
  hrSource: string;
  actorType: ActorType;
  actorId: string;
  action: string;
  system?: string;
  entitlement?: string;
  /** When it happened, ISO-8601 UTC. */
  occurredAt: string;
  /** Source IP or the system's location. */
  where?: string;
  outcome: Outcome;
  context: EvidenceContext;
}

export interface EvidenceContext {
  reason?: string;
  approval?: unknown;
  workflowId?: string;
  runId?: string;
  hrEventId?: string;
  [key: string]: unknown;
}

export interface EvidenceRecord extends EvidenceInput {
  seq: number;
  /** When the store wrote it, ISO-8601 UTC. */
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export type ChainProblem = 'edited' | 'deleted' | 'reordered';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first problems found (capped); problemCount is the full number. */
  problems: { seq: number; problem: ChainProblem; detail: string }[];
  problemCount: number;
  /** Last event of the chain, to be compared with a copy kept outside the database. */
  head: { seq: number; hash: string } | null;
  /** The oldest rows removed past retention, which the walk started after (absent: none). */
  pruned?: { throughSeq: number; keptFrom: string; rows: number };
}
