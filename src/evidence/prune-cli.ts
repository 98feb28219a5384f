import type { Database } from '../db/database';
import { formatDuration } from '../config/duration';
import { pruneEvidence } from './prune';

/** Below this the tool still prunes, but says that SOC 2 evidence is usually asked for a year back. */
const yearMs = 365 * 24 * 3_600_000;

/**
 * `jml evidence prune [--dry-run]`: removes the months of evidence past evidence.retention, as
 * the owner (DATABASE_MIGRATION_URL), one line per month and a closing line. Exit 0 when every
 * month past retention went (or would go), 1 when one had to stay (the line says why).
 */
export async function runEvidencePrune(db: Database, options: { retentionMs: number; dryRun: boolean; now?: Date }, out: (line: string) => void): Promise<number> {
  if (options.retentionMs < yearMs) out(`evidence.retention is ${formatDuration(options.retentionMs)}: auditors usually ask for at least a year of evidence`);
  const result = await pruneEvidence(db, options);
  const verb = options.dryRun ? 'would remove' : 'removed';
  for (const month of result.pruned) {
    const seqs = month.firstSeq === null ? 'no events' : `${month.rows} events, seq ${month.firstSeq}-${month.lastSeq}`;
    out(`${verb} ${month.partition} (${seqs}; recorded before ${month.keptFrom})`);
  }
  if (result.stopped) {
    out(`not pruned further: ${result.stopped}`);
    return 1;
  }
  out(
    result.pruned.length === 0
      ? `nothing to prune: no month of evidence ended before ${result.cutoff} (now − evidence.retention ${formatDuration(options.retentionMs)})`
      : `${result.pruned.length} month(s) ${verb}; evidence recorded since ${result.cutoff} is all kept`,
  );
  return 0;
}
