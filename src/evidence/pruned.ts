/** What `jml evidence prune` removed past retention, as verification needs it. */
import type { Queryable } from '../db/database';
import type { ChainIssue } from './chain';
import { isoUtc, toIso } from './rows';

export interface PrunedPrefix {
  /** The last row removed: verification starts after it, from its hash. */
  throughSeq: number;
  throughHash: string;
  /** Rows recorded before this moment were removed (none after). */
  keptFrom: string;
  rows: number;
  months: number;
}

interface PrunedRow {
  partition: string;
  kept_from: string;
  first_seq: string | number | null;
  last_seq: string | number | null;
  last_hash: string | null;
  rows: string | number;
}

/**
 * The chain's removed prefix (null when nothing was removed), and what is wrong with the record
 * of it: the months removed must hold seq 1 onwards without a gap, each starting right after the
 * one before, or rows went missing that no retention removed.
 */
export async function readPrunedPrefix(q: Queryable): Promise<{ prefix: PrunedPrefix | null; issues: ChainIssue[] }> {
  const { rows } = await q.query<PrunedRow>(
    `SELECT partition, to_char(kept_from AT TIME ZONE 'UTC', ${isoUtc}) AS kept_from, first_seq, last_seq, last_hash, rows
       FROM evidence_pruned ORDER BY kept_from, partition`,
  );
  if (rows.length === 0) return { prefix: null, issues: [] };
  const issues: ChainIssue[] = [];
  let throughSeq = 0;
  let throughHash: string | undefined;
  let total = 0;
  for (const row of rows) {
    total += Number(row.rows);
    if (row.first_seq === null || row.last_seq === null || row.last_hash === null) continue;
    const first = Number(row.first_seq);
    if (first !== throughSeq + 1) {
      issues.push({
        seq: first,
        problem: 'deleted',
        detail:
          first > throughSeq + 1
            ? `retention removed ${row.partition} from seq ${first}, but the months removed before it end at seq ${throughSeq}: seq ${throughSeq + 1}-${first - 1} went without a record`
            : `retention removed ${row.partition} from seq ${first}, which overlaps the months removed before it (they end at seq ${throughSeq})`,
      });
    }
    throughSeq = Number(row.last_seq);
    throughHash = row.last_hash;
  }
  const keptFrom = toIso(rows.at(-1)!.kept_from);
  if (throughHash === undefined) return { prefix: null, issues };
  return { prefix: { throughSeq, throughHash, keptFrom, rows: total, months: rows.length }, issues };
}
