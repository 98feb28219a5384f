import type { Queryable } from '../../db/database';
import { isoUtc, toIso } from '../rows';
import { parseCheckpoint, type Checkpoint } from './checkpoint';

export interface ChainHead {
  /** `<database>.<schema>`: which chain this is, for people reading a sink. */
  chain: string;
  seq: number;
  hash: string;
  recordedAt: string;
}

/** The last row of the evidence chain, or undefined while it is empty. */
export async function readChainHead(q: Queryable): Promise<ChainHead | undefined> {
  const { rows } = await q.query<{ seq: string | number; hash: string; recorded_at: string; chain: string }>(
    `SELECT seq, hash, to_char(recorded_at AT TIME ZONE 'UTC', ${isoUtc}) AS recorded_at,
            current_database() || '.' || current_schema() AS chain
       FROM evidence_events ORDER BY seq DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? { chain: row.chain, seq: Number(row.seq), hash: row.hash, recordedAt: toIso(row.recorded_at) } : undefined;
}

/** The highest seq already checkpointed (0 when none). */
export async function lastCheckpointedSeq(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ seq: string | number | null }>('SELECT max(seq) AS seq FROM evidence_checkpoints');
  return Number(rows[0]?.seq ?? 0);
}

export async function saveCheckpoint(q: Queryable, checkpoint: Checkpoint, publicKeyPem: string, line: string): Promise<void> {
  await q.query(
    `INSERT INTO evidence_checkpoints (seq, hash, signed_at, key_id, public_key, line) VALUES ($1, $2, $3, $4, $5, $6)`,
    [checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.keyId, publicKeyPem, line],
  );
}

export interface StoredCheckpoint {
  checkpoint: Checkpoint;
  publicKeyPem: string;
}

/** Checkpoints with fromSeq <= seq, in seq order: the first at or after toSeq is the last one returned. */
export async function checkpointsFrom(q: Queryable, fromSeq: number, toSeq: number): Promise<StoredCheckpoint[]> {
  const { rows } = await q.query<{ line: string; public_key: string }>(
    `SELECT line, public_key FROM evidence_checkpoints
      WHERE seq >= $1 AND seq <= COALESCE((SELECT min(seq) FROM evidence_checkpoints WHERE seq >= $2), $2)
      ORDER BY seq`,
    [fromSeq, toSeq],
  );
  const out: StoredCheckpoint[] = [];
  for (const row of rows) {
    const parsed = parseCheckpoint(row.line);
    if (typeof parsed !== 'string') out.push({ checkpoint: parsed, publicKeyPem: row.public_key });
  }
  return out;
}
