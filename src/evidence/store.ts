import type { Database, Queryable } from '../db/database';
import { verifyChain, type VerifyChainOptions } from './chain';
import { chainHash, genesisHash, jsonRoundTrip, normaliseTimestamp } from './hash';
import type { ActorType, EvidenceContext, EvidenceInput, EvidenceRecord, Outcome, VerifyResult } from './types';

interface EvidenceRow {
  seq: string | number;
  step_key: string;
  employee_id: string;
  hr_source: string;
  actor_type: string;
  actor_id: string;
  action: string;
  system: string | null;
  entitlement: string | null;
  occurred_at: string;
  recorded_at: string;
  origin: string | null;
  outcome: string;
  context: EvidenceContext | string;
  prev_hash: string;
  hash: string;
}

// Timestamps leave the database as text with microseconds, whatever the driver's type
// parsers do; toIso() keeps the 6 digits only when they are not a whole millisecond, so a
// sub-millisecond edit still changes the hashed string.
const isoUtc = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const columns = `seq, step_key, employee_id, hr_source, actor_type, actor_id, action, system, entitlement,
  to_char(occurred_at AT TIME ZONE 'UTC', ${isoUtc}) AS occurred_at,
  to_char(recorded_at AT TIME ZONE 'UTC', ${isoUtc}) AS recorded_at,
  origin, outcome, context, prev_hash, hash`;

/** Actions whose success means the account existed in that system. */
const accountActions = ['account.create', 'account.enable', 'account.disable', 'sessions.kill', 'entitlement.grant', 'entitlement.revoke', 'entitlements.revoke_all'];

export interface RangeQuery {
  /** occurredAt >= from (ISO-8601); absent means from the start. */
  from?: string;
  /** occurredAt < to (ISO-8601); absent means to the end. */
  to?: string;
  actions?: readonly string[];
}

export interface VerifyOptions extends VerifyChainOptions {
  pageSize?: number;
}

/**
 * Postgres evidence store: append-only (the table's triggers refuse UPDATE, DELETE and
 * TRUNCATE), hash-chained in seq order, idempotent per stepKey.
 */
export class EvidenceStore {
  constructor(private readonly db: Database) {}

  /**
   * Writes one event, or returns the one already written under the same stepKey (a retried
   * step never writes twice; the first write wins). Appends are serialised by a transaction
   * advisory lock so each event links to the one committed just before it and seq has no gaps.
   */
  async append(input: EvidenceInput): Promise<EvidenceRecord> {
    const occurredAt = normaliseTimestamp(input.occurredAt);
    const context = jsonRoundTrip(input.context ?? {});
    const existing = await findByStepKey(this.db, input.stepKey);
    if (existing) return existing;

    return this.db.transaction(async (tx) => {
      // Keyed by schema so separate schemas on one server keep separate chains.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('jml.evidence_events.' || current_schema()))`);
      const raced = await findByStepKey(tx, input.stepKey);
      if (raced) return raced;

      const head = await tx.query<{ seq: string | number | null; hash: string | null; now: string }>(
        `SELECT e.seq, e.hash, n.now FROM
           (SELECT to_char(date_trunc('milliseconds', clock_timestamp()) AT TIME ZONE 'UTC', ${isoUtc}) AS now) n
           LEFT JOIN (SELECT seq, hash FROM evidence_events ORDER BY seq DESC LIMIT 1) e ON true`,
      );
      const last = head.rows[0];
      if (!last) throw new Error('evidence head query returned no row');
      const seq = last.seq === null ? 1 : Number(last.seq) + 1;
      const prevHash = last.hash ?? genesisHash;
      const recordedAt = toIso(last.now);

      const content = {
        stepKey: input.stepKey,
        employeeId: input.employeeId,
        hrSource: input.hrSource,
        actorType: input.actorType,
        actorId: input.actorId,
        action: input.action,
        ...(input.system !== undefined ? { system: input.system } : {}),
        ...(input.entitlement !== undefined ? { entitlement: input.entitlement } : {}),
        occurredAt,
        recordedAt,
        ...(input.where !== undefined ? { where: input.where } : {}),
        outcome: input.outcome,
        context,
      };
      const hash = chainHash(prevHash, content);
      const inserted = await tx.query<EvidenceRow>(
        `INSERT INTO evidence_events (seq, step_key, employee_id, hr_source, actor_type, actor_id, action,
           system, entitlement, occurred_at, recorded_at, origin, outcome, context, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11::timestamptz, $12, $13, $14::jsonb, $15, $16)
         RETURNING ${columns}`,
        [
          seq,
          input.stepKey,
          input.employeeId,
          input.hrSource,
          input.actorType,
          input.actorId,
          input.action,
          input.system ?? null,
          input.entitlement ?? null,
          occurredAt,
          recordedAt,
          input.where ?? null,
          input.outcome,
          JSON.stringify(context),
          prevHash,
          hash,
        ],
      );
      const row = inserted.rows[0];
      if (!row) throw new Error('evidence insert returned no row');
      return toRecord(row);
    });
  }

  /** Every event about one employee, in chain order. */
  /**
   * Whether the engine has found or acted on this worker's account in a system before (any
   * step that named the account, or changed it successfully): an account that is absent now
   * after that has vanished, which is worth a look rather than a quiet "not found".
   */
  async accountSeen(q: { hrSource: string; employeeId: string; system: string }): Promise<boolean> {
    const { rows } = await this.db.query<{ seen: number }>(
      `SELECT 1 AS seen FROM evidence_events
        WHERE employee_id = $1 AND hr_source = $2 AND system = $3
          AND (context->>'accountId' IS NOT NULL OR (outcome = 'success' AND action = ANY($4::text[])))
        LIMIT 1`,
      [q.employeeId, q.hrSource, q.system, accountActions],
    );
    return rows.length > 0;
  }

  async forEmployee(employeeId: string): Promise<EvidenceRecord[]> {
    const result = await this.db.query<EvidenceRow>(
      `SELECT ${columns} FROM evidence_events WHERE employee_id = $1 ORDER BY seq`,
      [employeeId],
    );
    return result.rows.map(toRecord);
  }

  /** Events that occurred in [from, to), optionally of some actions only, in chain order. */
  async range(query: RangeQuery): Promise<EvidenceRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.from !== undefined) {
      params.push(normaliseTimestamp(query.from));
      where.push(`occurred_at >= $${params.length}::timestamptz`);
    }
    if (query.to !== undefined) {
      params.push(normaliseTimestamp(query.to));
      where.push(`occurred_at < $${params.length}::timestamptz`);
    }
    if (query.actions !== undefined) {
      params.push([...query.actions]);
      where.push(`action = ANY($${params.length}::text[])`);
    }
    const result = await this.db.query<EvidenceRow>(
      `SELECT ${columns} FROM evidence_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`,
      params,
    );
    return result.rows.map(toRecord);
  }

  /**
   * Events that occurred in [from, to), in chain order, pageSize at a time (default 1000), so
   * a long window can be streamed to a file without holding it all in memory.
   */
  async *between(from: string, to: string, pageSize = 1000): AsyncGenerator<EvidenceRecord[]> {
    yield* pagesOf(this.db, 'occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz', [normaliseTimestamp(from), normaliseTimestamp(to)], pageSize);
  }

  /** Every event whose context.workflowId is one of these, in chain order. */
  async forWorkflows(workflowIds: readonly string[]): Promise<EvidenceRecord[]> {
    const records: EvidenceRecord[] = [];
    // Chunked to keep parameter arrays modest; chunks are merged back into seq order.
    for (let i = 0; i < workflowIds.length; i += 500) {
      const result = await this.db.query<EvidenceRow>(
        `SELECT ${columns} FROM evidence_events WHERE context->>'workflowId' = ANY($1::text[]) ORDER BY seq`,
        [workflowIds.slice(i, i + 500)],
      );
      records.push(...result.rows.map(toRecord));
    }
    return records.sort((a, b) => a.seq - b.seq);
  }

  /** Re-hashes the whole chain in seq order, pageSize rows at a time (default 1000). */
  async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    const pageSize = options.pageSize ?? 1000;
    const db = this.db;
    const pages = () => pagesOf(db, 'TRUE', [], pageSize);
    const findSeqByHash = async (hash: string): Promise<number | undefined> => {
      const result = await db.query<{ seq: string | number }>('SELECT seq FROM evidence_events WHERE hash = $1', [hash]);
      const row = result.rows[0];
      return row ? Number(row.seq) : undefined;
    };
    return verifyChain(pages(), findSeqByHash, options);
  }
}

async function findByStepKey(q: Queryable, stepKey: string): Promise<EvidenceRecord | undefined> {
  const result = await q.query<EvidenceRow>(`SELECT ${columns} FROM evidence_events WHERE step_key = $1`, [stepKey]);
  const row = result.rows[0];
  return row ? toRecord(row) : undefined;
}

function toRecord(row: EvidenceRow): EvidenceRecord {
  // Drivers hand jsonb back parsed, but a custom type parser may leave it as text.
  const context = typeof row.context === 'string' ? (JSON.parse(row.context) as EvidenceContext) : row.context;
  return {
    seq: Number(row.seq),
    stepKey: row.step_key,
    employeeId: row.employee_id,
    hrSource: row.hr_source,
    actorType: row.actor_type as ActorType,
    actorId: row.actor_id,
    action: row.action,
    ...(row.system !== null ? { system: row.system } : {}),
    ...(row.entitlement !== null ? { entitlement: row.entitlement } : {}),
    occurredAt: toIso(row.occurred_at),
    recordedAt: toIso(row.recorded_at),
    ...(row.origin !== null ? { where: row.origin } : {}),
    outcome: row.outcome as Outcome,
    context,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** 2024-05-01T10:00:00.123000Z -> 2024-05-01T10:00:00.123Z; sub-millisecond digits are kept. */
function toIso(text: string): string {
  return text.replace(/\.(\d{3})000Z$/, '.$1Z');
}

/** Events matching `where` (over `params`) in chain order, pageSize rows per query, keyed on seq. */
async function* pagesOf(db: Queryable, where: string, params: unknown[], pageSize: number): AsyncGenerator<EvidenceRecord[]> {
  let after = 0;
  for (;;) {
    const result = await db.query<EvidenceRow>(
      `SELECT ${columns} FROM evidence_events WHERE ${where} AND seq > $${params.length + 1} ORDER BY seq LIMIT $${params.length + 2}`,
      [...params, after, pageSize],
    );
    const page = result.rows.map(toRecord);
    const last = page.at(-1);
    if (!last) return;
    yield page;
    after = last.seq;
    if (page.length < pageSize) return;
  }
}
