import type { Queryable } from '../../db/database';
import { parseCheckpoint, type Checkpoint } from './checkpoint';

export interface CheckpointStatus {
  /** The latest checkpoint this database has recorded publishing (null: none yet). */
  latest: Pick<Checkpoint, 'seq' | 'hash' | 'at' | 'keyId'> | null;
  /** The chain reaches it and has exactly its hash at its seq. */
  ok: boolean;
  problem?: string;
}

/**
 * The chain against the latest checkpoint in evidence_checkpoints, for GET /api/evidence/verify.
 * A quick signal only: the database's own copy can be removed with the table; the proof is
 * `jml evidence verify --checkpoints` against what the sinks received.
 */
export async function checkpointStatus(q: Queryable, headSeq: number): Promise<CheckpointStatus> {
  const { rows } = await q.query<{ line: string }>('SELECT line FROM evidence_checkpoints ORDER BY seq DESC LIMIT 1');
  const parsed = rows[0] ? parseCheckpoint(rows[0].line) : undefined;
  if (parsed === undefined) return { latest: null, ok: true };
  if (typeof parsed === 'string') return { latest: null, ok: false, problem: `the latest stored checkpoint is unreadable: ${parsed}` };
  const latest = { seq: parsed.seq, hash: parsed.hash, at: parsed.at, keyId: parsed.keyId };
  if (headSeq < parsed.seq) return { latest, ok: false, problem: `truncated: the chain ends at seq ${headSeq} but the checkpoint signed ${parsed.at} covers seq ${parsed.seq}` };
  const at = await q.query<{ hash: string }>('SELECT hash FROM evidence_events WHERE seq = $1', [parsed.seq]);
  if (at.rows[0]?.hash !== parsed.hash) return { latest, ok: false, problem: `rewritten: the row at seq ${parsed.seq} does not have the hash the checkpoint signed ${parsed.at} says` };
  return { latest, ok: true };
}
