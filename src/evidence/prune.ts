/**
 * Removing evidence past `evidence.retention`, a whole month at a time, as the owner. A month
 * leaves only when every row in it was recorded before now − retention, it is the oldest month
 * left, its rows chain without a fault from where the last removal ended, and (once checkpoints
 * are signed) a signed checkpoint covers its last row; its last seq and hash go to
 * `evidence_pruned` in the transaction that drops it, so verification starts there.
 */
import type { Database, Queryable } from '../db/database';
import { verifyChain } from './chain';
import { genesisHash } from './hash';
import { readPrunedPrefix } from './pruned';
import { isoUtc, toIso } from './rows';
import { pagesOf } from './store';

export interface PruneOptions {
  /** evidence.retention in milliseconds: nothing recorded since now − retention is removed. */
  retentionMs: number;
  now?: Date;
  /** Check and say what would go, remove nothing. */
  dryRun?: boolean;
}

export interface PrunedMonth {
  partition: string;
  /** Its rows were all recorded before this (the month's end). */
  keptFrom: string;
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

export interface PruneResult {
  /** now − retention: months ending by then may go. */
  cutoff: string;
  pruned: PrunedMonth[];
  /** Why the next month past retention stayed, when one did. */
  stopped?: string;
}

interface Partition {
  partition: string;
  upper: string;
}

/** Pruning as a role that may not drop evidence (the app role, by design). */
export class PruneNotOwner extends Error {
  override readonly name = 'PruneNotOwner';
  constructor() {
    super("removing a month of evidence needs the owner's role: set DATABASE_MIGRATION_URL to it (the app role cannot, by design)");
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function pruneEvidence(db: Database, options: PruneOptions): Promise<PruneResult> {
  try {
    return await pruneMonths(db, options);
  } catch (err) {
    // The app role may neither read a month's table directly nor drop it, by design.
    if ((err as { code?: unknown }).code === '42501') throw new PruneNotOwner();
    throw err;
  }
}

async function pruneMonths(db: Database, options: PruneOptions): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionMs).toISOString();
  const pruned: PrunedMonth[] = [];
  const { prefix, issues } = await readPrunedPrefix(db);
  if (issues.length > 0) return { cutoff, pruned, stopped: `the record of earlier removals has a fault (${issues[0]!.detail}): run \`jml evidence verify\`` };
  // Where the chain left standing starts: after the last row removed (in a dry run, as if removed).
  let after = { seq: prefix?.throughSeq ?? 0, hash: prefix?.throughHash ?? genesisHash };

  for (const { partition, upper } of await partitionsEndingBy(db, cutoff)) {
    const checked = await checkMonth(db, partition, upper, after);
    if (typeof checked === 'string') return { cutoff, pruned, stopped: `${partition} stays: ${checked}` };
    if (!options.dryRun) await removeMonth(db, checked, options.retentionMs);
    pruned.push(checked);
    if (checked.lastSeq !== null) after = { seq: checked.lastSeq, hash: checked.lastHash! };
  }
  return { cutoff, pruned };
}

/** The monthly partitions whose upper bound is at or before cutoff, oldest first. */
async function partitionsEndingBy(db: Queryable, cutoff: string): Promise<Partition[]> {
  const { rows } = await db.query<{ partition: string; upper: string }>(
    `SELECT partition, to_char(upper AT TIME ZONE 'UTC', ${isoUtc}) AS upper FROM (
       SELECT c.relname AS partition,
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), $$TO \\('([^']+)'\\)$$))[1]::timestamptz AS upper
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'evidence_events'::regclass) p
      WHERE upper <= $1::timestamptz ORDER BY upper`,
    [cutoff],
  );
  return rows.map((r) => ({ partition: r.partition, upper: toIso(r.upper) }));
}

type CheckedMonth = PrunedMonth & { lastHash: string | null };

/** The month as it would be removed, or why it may not be. */
async function checkMonth(db: Queryable, partition: string, upper: string, after: { seq: number; hash: string }): Promise<CheckedMonth | string> {
  const table = ident(partition);
  const stats = (
    await db.query<{ n: string | number; first: string | number | null; last: string | number | null; last_hash: string | null }>(
      `SELECT count(*) AS n, min(seq) AS first, max(seq) AS last, (SELECT hash FROM ${table} ORDER BY seq DESC LIMIT 1) AS last_hash FROM ${table}`,
    )
  ).rows[0]!;
  const rows = Number(stats.n);
  if (rows === 0) return { partition, keptFrom: upper, rows: 0, firstSeq: null, lastSeq: null, lastHash: null };
  const firstSeq = Number(stats.first);
  const lastSeq = Number(stats.last);
  if (firstSeq !== after.seq + 1) return `it starts at seq ${firstSeq}, but the evidence before it ends at seq ${after.seq}: run \`jml evidence verify\``;
  const later = await db.query<{ first: string | number | null }>(`SELECT min(seq) AS first FROM evidence_events WHERE recorded_at >= $1::timestamptz`, [upper]);
  const laterFirst = later.rows[0]?.first;
  if (laterFirst !== null && laterFirst !== undefined && Number(laterFirst) <= lastSeq) {
    return `a later month holds seq ${Number(laterFirst)}, before this month's last (${lastSeq}): the clock went back across the month's end, so removing it would leave a hole`;
  }
  const verified = await verifyChain(pagesOf(db, 'TRUE', [], 1000, 0, table), async () => undefined, { start: after, maxProblems: 1 });
  if (!verified.ok) return `its chain does not verify (seq ${verified.problems[0]!.seq}: ${verified.problems[0]!.detail}): run \`jml evidence verify\``;
  if (verified.checked !== rows || verified.head?.seq !== lastSeq) return `it holds ${rows} rows but ${verified.checked} chain from seq ${firstSeq}: run \`jml evidence verify\``;
  const signed = await db.query<{ any: boolean; covering: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM evidence_checkpoints) AS any, EXISTS (SELECT 1 FROM evidence_checkpoints WHERE seq >= $1) AS covering`,
    [lastSeq],
  );
  if (signed.rows[0]!.any && !signed.rows[0]!.covering) return `no signed checkpoint covers its last row (seq ${lastSeq}) yet: try again after the next one`;
  return { partition, keptFrom: upper, rows, firstSeq, lastSeq, lastHash: stats.last_hash };
}

/**
 * Records the month's removal and drops it, in one transaction, with the kept report rows of the
 * runs it held (a run's row cannot be worked out again without its evidence). The drop needs the
 * table's strongest lock for a moment: it waits at most 5 s for running reads rather than queue
 * every append behind them.
 */
async function removeMonth(db: Database, month: CheckedMonth, retentionMs: number): Promise<void> {
  const table = ident(month.partition);
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('jml.evidence_prune.' || current_schema()))`);
    await tx.query(`SET LOCAL lock_timeout = '5s'`);
    await tx.query(
      `INSERT INTO evidence_pruned (partition, kept_from, first_seq, last_seq, last_hash, rows, retention)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6, make_interval(secs => $7::double precision / 1000))`,
      [month.partition, month.keptFrom, month.firstSeq, month.lastSeq, month.lastHash, month.rows, retentionMs],
    );
    await tx.query(
      `DELETE FROM offboarding_report_runs WHERE workflow_id IN (SELECT DISTINCT context->>'workflowId' FROM ${table} WHERE context ? 'workflowId')`,
    );
    await tx.query(`DROP TABLE ${table}`);
  });
}
