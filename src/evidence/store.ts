import type { Database, Queryable } from '../db/database';
import { appendBatch, maxRowsPerAppend, prepareInput, type PreparedInput } from './append';
import { verifyChain, type VerifyChainOptions } from './chain';
import { GroupCommit } from './group-commit';
import { normaliseTimestamp } from './hash';
import { readPrunedPrefix } from './pruned';
import { columns, toRecord, type EvidenceRow } from './rows';
import type { EvidenceInput, EvidenceRecord, VerifyResult } from './types';

/** Actions whose success means the account existed in that system. */
const accountActions = ['account.create', 'account.enable', 'account.disable', 'sessions.kill', 'entitlement.grant', 'entitlement.revoke', 'entitlements.held', 'entitlements.revoke_all'];

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

export interface EvidenceStoreOptions {
  /**
   * Concurrent appends share one transaction (default true). Off, every append is its own
   * transaction, as the store wrote before group commit; kept to measure the difference.
   */
  groupCommit?: boolean;
  /** Most events one transaction writes (default 250). */
  maxBatch?: number;
  /** Told the size of each group-committed batch (for metrics and benchmarks). */
  onBatch?: (events: number) => void;
  /**
   * Told of every append: whether its event was stored (or found stored) or the write failed, how
   * long it took, and the event: the stored row itself when there is one (a retried step's earlier
   * row is what the evidence holds, whatever the retry asked to write), else the input.
   */
  onAppend?: (outcome: 'stored' | 'failed', seconds: number, input: EvidenceInput) => void;
}

/**
 * Postgres evidence store: append-only (the table's triggers refuse UPDATE, DELETE and
 * TRUNCATE), hash-chained in seq order, idempotent per stepKey.
 */
export class EvidenceStore {
  private readonly batcher: GroupCommit<PreparedInput, EvidenceRecord> | undefined;
  private readonly onAppend: EvidenceStoreOptions['onAppend'];

  constructor(
    private readonly db: Database,
    options: EvidenceStoreOptions = {},
  ) {
    this.onAppend = options.onAppend;
    const maxBatch = options.maxBatch ?? 250;
    if (maxBatch > maxRowsPerAppend) throw new RangeError(`maxBatch must be at most ${maxRowsPerAppend} (got ${maxBatch})`);
    this.batcher =
      options.groupCommit === false
        ? undefined
        : new GroupCommit((inputs) => appendBatch(db, inputs), { maxBatch, blamesAnItem: isRowError, ...(options.onBatch ? { onBatch: options.onBatch } : {}) });
  }

  /**
   * Writes one event, or returns the one already written under the same stepKey (a retried
   * step never writes twice; the first write wins, whether it was committed earlier, by another
   * process, or just before in the same batch). Appends made while a write is in progress are
   * committed together in the next one, under the chain lock taken once (see appendBatch), so
   * each event links to the one committed just before it and seq has no gaps. Resolves only
   * once the event is committed; an event the database refuses fails alone, with its own error.
   */
  async append(input: EvidenceInput): Promise<EvidenceRecord> {
    const started = performance.now();
    try {
      const record = await this.appendOne(prepareInput(input));
      this.onAppend?.('stored', (performance.now() - started) / 1000, record);
      return record;
    } catch (err) {
      this.onAppend?.('failed', (performance.now() - started) / 1000, input);
      throw err;
    }
  }

  private async appendOne(prepared: PreparedInput): Promise<EvidenceRecord> {
    if (this.batcher) return this.batcher.submit(prepared);
    const [record] = await appendBatch(this.db, [prepared]);
    if (!record) throw new Error('evidence append returned no record');
    return record;
  }

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

  /** Every event about one employee (of one HR source when given), in chain order. */
  async forEmployee(employeeId: string, hrSource?: string): Promise<EvidenceRecord[]> {
    const result = hrSource
      ? await this.db.query<EvidenceRow>(`SELECT ${columns} FROM evidence_events WHERE employee_id = $1 AND hr_source = $2 ORDER BY seq`, [employeeId, hrSource])
      : await this.db.query<EvidenceRow>(`SELECT ${columns} FROM evidence_events WHERE employee_id = $1 ORDER BY seq`, [employeeId]);
    return result.rows.map(toRecord);
  }

  /** The HR sources that have evidence for an employee ID (one ID may exist in two HRIS). */
  async sourcesOf(employeeId: string): Promise<string[]> {
    const result = await this.db.query<{ hr_source: string }>(`SELECT DISTINCT hr_source FROM evidence_events WHERE employee_id = $1 ORDER BY hr_source`, [employeeId]);
    return result.rows.map((r) => r.hr_source);
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

  /** Every event whose context.workflowId is one of these, in chain order (progress: IDs read of all). */
  async forWorkflows(workflowIds: readonly string[], onProgress?: (done: number, total: number) => void): Promise<EvidenceRecord[]> {
    const records: EvidenceRecord[] = [];
    // Chunked to keep parameter arrays modest; chunks are merged back into seq order.
    for (let i = 0; i < workflowIds.length; i += 500) {
      const result = await this.db.query<EvidenceRow>(
        `SELECT ${columns} FROM evidence_events WHERE context->>'workflowId' = ANY($1::text[]) ORDER BY seq`,
        [workflowIds.slice(i, i + 500)],
      );
      records.push(...result.rows.map(toRecord));
      onProgress?.(Math.min(workflowIds.length, i + 500), workflowIds.length);
    }
    return records.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Re-hashes the whole chain in seq order, pageSize rows at a time (default 1000): from the
   * start, or from the row after the last one `jml evidence prune` removed past retention.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    const pageSize = options.pageSize ?? 1000;
    const db = this.db;
    const findSeqByHash = async (hash: string): Promise<number | undefined> => {
      const result = await db.query<{ seq: string | number }>('SELECT seq FROM evidence_events WHERE hash = $1', [hash]);
      const row = result.rows[0];
      return row ? Number(row.seq) : undefined;
    };
    const { prefix, issues } = await readPrunedPrefix(db);
    const start = prefix ? { seq: prefix.throughSeq, hash: prefix.throughHash } : undefined;
    const result = await verifyChain(pagesOf(db, 'TRUE', [], pageSize, start?.seq ?? 0), findSeqByHash, { ...options, ...(start ? { start } : {}), before: issues });
    return prefix ? { ...result, pruned: { throughSeq: prefix.throughSeq, keptFrom: prefix.keptFrom, rows: prefix.rows } } : result;
  }
}

/**
 * Errors the database raises about a row's data (class 22: data exception, e.g. a NUL byte in
 * text; 23: a refused constraint; 54: a value past a limit, e.g. an over-long key). A batch that
 * fails so is split to find the row; anything else (connection, lock, server) fails the batch.
 */
function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/**
 * Events matching `where` (over `params`) in chain order, after seq `from`, pageSize rows per
 * query, keyed on seq; from evidence_events, or one of its months (`table`, quoted).
 */
export async function* pagesOf(db: Queryable, where: string, params: unknown[], pageSize: number, from = 0, table = 'evidence_events'): AsyncGenerator<EvidenceRecord[]> {
  let after = from;
  for (;;) {
    const result = await db.query<EvidenceRow>(
      `SELECT ${columns} FROM ${table} WHERE ${where} AND seq > $${params.length + 1} ORDER BY seq LIMIT $${params.length + 2}`,
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
