/** Writing evidence: many events in one transaction that takes the chain lock once. */
import type { Database, Queryable } from '../db/database';
import { chainHash, genesisHash, jsonRoundTrip, normaliseTimestamp } from './hash';
import { columns, findByStepKeys, isoUtc, toIso, toRecord, type EvidenceRow } from './rows';
import type { EvidenceInput, EvidenceRecord } from './types';

declare const prepared: unique symbol;
/** An input in the form the store stores and hashes (millisecond UTC time, plain-JSON context). */
export type PreparedInput = EvidenceInput & { readonly [prepared]: true };

/** Throws for this input alone (a bad timestamp, a context that is not a JSON object). */
export function prepareInput(input: EvidenceInput): PreparedInput {
  return { ...input, occurredAt: normaliseTimestamp(input.occurredAt), context: jsonRoundTrip(input.context ?? {}) } as PreparedInput;
}

/** Postgres caps a statement at 65,535 parameters; 16 per row. */
export const maxRowsPerAppend = 4000;

/**
 * Writes these events in one transaction, in the order given, each linked to the one before,
 * and returns each input's record: the row already stored under its stepKey when there is one
 * (written earlier, by another process, or earlier in this same call), else the row written
 * now. The transaction advisory lock, keyed by schema so separate schemas keep separate chains,
 * is what orders writers across processes: under it the head is read, seq continues without a
 * gap and every row's prev_hash is the hash of the row before. All rows written by one call
 * share one recorded_at, read from the clock under the lock, so recorded_at never decreases
 * along the chain. Nothing is returned unless the transaction committed.
 */
export async function appendBatch(db: Database, inputs: readonly PreparedInput[]): Promise<EvidenceRecord[]> {
  if (inputs.length > maxRowsPerAppend) throw new RangeError(`at most ${maxRowsPerAppend} events per append (got ${inputs.length})`);
  try {
    return await appendOnce(db, inputs);
  } catch (err) {
    if (!isMissingPartition(err)) throw err;
    // The month has no partition yet (nobody ran `jml migrate` since the last ones were made):
    // the owner's function makes this month's and the next ones, and the append is tried again.
    await db.query('SELECT evidence_events_add_upcoming_partitions()');
    return appendOnce(db, inputs);
  }
}

/** Postgres's answer to a row no partition takes: a check violation saying so. */
function isMissingPartition(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '23514' && typeof e.message === 'string' && e.message.startsWith('no partition of relation');
}

async function appendOnce(db: Database, inputs: readonly PreparedInput[]): Promise<EvidenceRecord[]> {
  return db.transaction(async (tx) => {
    // The lock is its own statement: a statement's snapshot predates any lock it takes, so the
    // head must be read by a later statement to see the writer that held the lock before.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('jml.evidence_events.' || current_schema()))`);
    const known = await findByStepKeys(tx, [...new Set(inputs.map((i) => i.stepKey))]);
    const { recordedAt, ...last } = await head(tx);
    let { seq, prevHash } = last;

    const params: unknown[] = [];
    const tuples: string[] = [];
    const written = new Set<string>();
    for (const input of inputs) {
      if (known.has(input.stepKey) || written.has(input.stepKey)) continue;
      written.add(input.stepKey);
      seq += 1;
      const hash = chainHash(prevHash, { ...input, recordedAt });
      const values = [
        seq,
        input.stepKey,
        input.employeeId,
        input.hrSource,
        input.actorType,
        input.actorId,
        input.action,
        input.system ?? null,
        input.entitlement ?? null,
        input.occurredAt,
        recordedAt,
        input.where ?? null,
        input.outcome,
        JSON.stringify(input.context),
        prevHash,
        hash,
      ];
      const at = params.length;
      tuples.push(`(${values.map((_, i) => `$${at + i + 1}${castOf[i] ?? ''}`).join(', ')})`);
      params.push(...values);
      prevHash = hash;
    }

    if (tuples.length > 0) {
      const inserted = await tx.query<EvidenceRow>(
        `INSERT INTO evidence_events (seq, step_key, employee_id, hr_source, actor_type, actor_id, action,
           system, entitlement, occurred_at, recorded_at, origin, outcome, context, prev_hash, hash)
         VALUES ${tuples.join(', ')}
         RETURNING ${columns}`,
        params,
      );
      if (inserted.rows.length !== tuples.length) throw new Error(`evidence insert returned ${inserted.rows.length} of ${tuples.length} rows`);
      for (const row of inserted.rows) known.set(row.step_key, toRecord(row));
    }
    return inputs.map((input) => {
      const record = known.get(input.stepKey);
      if (!record) throw new Error('evidence append lost a row');
      return record;
    });
  });
}

/** Parameter casts by column position, 0-based (seq, occurred_at, recorded_at, context). */
const castOf: Record<number, string> = { 0: '::bigint', 9: '::timestamptz', 10: '::timestamptz', 13: '::jsonb' };

/** The chain's last seq and hash, and the clock now to the millisecond (the write's recorded_at). */
async function head(tx: Queryable): Promise<{ seq: number; prevHash: string; recordedAt: string }> {
  const result = await tx.query<{ seq: string | number | null; hash: string | null; now: string }>(
    `SELECT e.seq, e.hash, n.now FROM
       (SELECT to_char(date_trunc('milliseconds', clock_timestamp()) AT TIME ZONE 'UTC', ${isoUtc}) AS now) n
       LEFT JOIN (SELECT seq, hash FROM evidence_events ORDER BY seq DESC LIMIT 1) e ON true`,
  );
  const last = result.rows[0];
  if (!last) throw new Error('evidence head query returned no row');
  return { seq: last.seq === null ? 0 : Number(last.seq), prevHash: last.hash ?? genesisHash, recordedAt: toIso(last.now) };
}
