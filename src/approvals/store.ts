import type { Database, Queryable } from '../db/database';
import { unstorableReason } from '../hris/storable-text';
import type { ApprovalDecisionInput, ApprovalRecord, ApprovalRequest, ApprovalStatus, ApproverRef } from './types';

interface Row {
  approval_id: string;
  workflow_id: string;
  employee_id: string;
  hr_source: string;
  system: string;
  entitlement: string;
  rules: unknown;
  approvers: unknown;
  requested_at: Date | string;
  expires_at: Date | string;
  status: string;
  decided_by: string | null;
  decided_at: Date | string | null;
  reason: string | null;
}

const columns = `approval_id, workflow_id, employee_id, hr_source, system, entitlement, rules, approvers, requested_at, expires_at,
  status, decided_by, decided_at, reason`;

const outcomes: ReadonlySet<string> = new Set(['approved', 'rejected', 'expired', 'cancelled']);

/**
 * Approvals waiting for, or given, a decision (table approvals). A request is stored once per
 * approval ID; a decision moves it out of pending exactly once, whoever gets there first.
 */
export class ApprovalStore {
  constructor(private readonly db: Database) {}

  /** Stores a pending approval. Idempotent on approvalId: a repeat returns the stored row unchanged. */
  async request(a: ApprovalRequest): Promise<ApprovalRecord> {
    if (!Array.isArray(a.rules) || a.rules.some((r) => typeof r !== 'string')) {
      throw new TypeError(`approval ${a.approvalId}: rules must be an array of rule labels`);
    }
    const inserted = await this.db.query<Row>(
      `INSERT INTO approvals (approval_id, workflow_id, employee_id, hr_source, system, entitlement, rules, approvers, requested_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $10::jsonb, $8::timestamptz, $9::timestamptz)
       ON CONFLICT (approval_id) DO NOTHING
       RETURNING ${columns}`,
      [a.approvalId, a.workflowId, a.employeeId, a.hrSource, a.system, a.entitlement, JSON.stringify(a.rules), a.requestedAt, a.expiresAt, JSON.stringify(a.approvers ?? [])],
    );
    if (inserted.rows[0]) return toRecord(inserted.rows[0]);
    const existing = await selectOne(this.db, a.approvalId);
    if (!existing) throw new Error(`approvals: ${a.approvalId} conflicted but cannot be read`);
    return existing;
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    return selectOne(this.db, id);
  }

  /** How many approvals wait for a decision. */
  async countPending(): Promise<number> {
    const { rows } = await this.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM approvals WHERE status = 'pending'`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Approvals still waiting for a decision, oldest request first. */
  async pending(): Promise<ApprovalRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM approvals WHERE status = 'pending' ORDER BY requested_at, approval_id`,
    );
    return rows.map(toRecord);
  }

  /**
   * Records a decision, only on a pending approval. Returns the decided record, or undefined
   * when there is no such approval or it was no longer pending (someone decided first).
   */
  async decide(id: string, d: ApprovalDecisionInput): Promise<ApprovalRecord | undefined> {
    if (!outcomes.has(d.status)) throw new TypeError(`approval ${id}: a decision must be approved, rejected, expired or cancelled, not ${String(d.status)}`);
    if (typeof d.decidedBy !== 'string' || d.decidedBy === '') throw new TypeError(`approval ${id}: decidedBy is required`);
    const { rows } = await this.db.query<Row>(
      `UPDATE approvals SET status = $2, decided_by = $3, decided_at = $4::timestamptz, reason = $5
       WHERE approval_id = $1 AND status = 'pending'
       RETURNING ${columns}`,
      [id, d.status, d.decidedBy, d.decidedAt, d.reason ?? null],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }
}

async function selectOne(db: Queryable, id: string): Promise<ApprovalRecord | undefined> {
  // IDs come from requests (the API's path, a Slack button's value). One Postgres cannot hold
  // (a NUL) names no approval, and asking for it would fail the query.
  if (unstorableReason(id)) return undefined;
  const { rows } = await db.query<Row>(`SELECT ${columns} FROM approvals WHERE approval_id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

function toRecord(row: Row): ApprovalRecord {
  // rules was written by request() from a string array; jsonb may come back as text.
  const rules = (typeof row.rules === 'string' ? JSON.parse(row.rules) : row.rules) as string[];
  const approvers = (typeof row.approvers === 'string' ? JSON.parse(row.approvers) : (row.approvers ?? [])) as ApproverRef[];
  return {
    approvalId: row.approval_id,
    workflowId: row.workflow_id,
    employeeId: row.employee_id,
    hrSource: row.hr_source,
    system: row.system,
    entitlement: row.entitlement,
    rules,
    approvers,
    requestedAt: iso(row.requested_at),
    expiresAt: iso(row.expires_at),
    status: row.status as ApprovalStatus,
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
    ...(row.decided_at !== null ? { decidedAt: iso(row.decided_at) } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
  };
}
