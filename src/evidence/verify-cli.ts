import type { Database } from '../db/database';
import { readCheckpoints, readPublicKeys } from './checkpoints/files';
import { printCheckpointResult } from './checkpoints/report';
import type { SigningKey, VerifyingKey } from './checkpoints/signing-key';
import { verifyCheckpoints, type CheckedChain } from './checkpoints/verify';
import { checkKeptRuns, rebuildKeptRuns } from '../reports/report-runs';
import { during, noProgress, type Progress } from '../cli/progress';
import { EvidenceStore } from './store';
import type { VerifyResult } from './types';

export interface EvidenceVerifyOptions {
  /** A directory of checkpoint files (a directory sink's, or lines collected from other sinks) or one file. */
  checkpoints?: string;
  /** Public key files (SPKI PEM) to check the checkpoints' signatures with. */
  publicKeys?: readonly string[];
  /** Without publicKeys, the signing key's own public half is used. */
  signingKey?: SigningKey;
  /** evidence.retention: everything recorded since now − retention must still be there. */
  retentionMs?: number;
  now?: Date;
  /** Where the walk's progress goes (a terminal line in the CLI). */
  progress?: Progress;
}

/** A verification that cannot start as asked (no key to check signatures with); exit 2. */
export class VerifyUsageError extends Error {
  override readonly name = 'VerifyUsageError';
}

/**
 * `jml evidence verify [--checkpoints DIR] [--public-key FILE ...]`: re-hashes the whole chain,
 * prints one line per problem as it is found and a summary line; with checkpoints, also checks
 * each one's signature and that the chain has exactly the signed hash at its seq and reaches the
 * latest one. Exit code 0 when everything holds, 1 when anything is wrong.
 */
export async function runEvidenceVerify(db: Database, out: (line: string) => void, options: EvidenceVerifyOptions = {}): Promise<number> {
  const keys = options.checkpoints === undefined ? [] : await verifyingKeys(options);
  const progress = options.progress ?? noProgress;
  // Counted only for a terminal to show: a pipe gets no progress and pays for no count.
  const total = progress === noProgress ? 0 : Number((await db.query<{ n: string | number }>('SELECT count(*) AS n FROM evidence_events')).rows[0]?.n ?? 0);
  const result = await during(progress, () => new EvidenceStore(db).verify({ onProblem: printProblem(out), onChecked: (checked) => progress.update(checked, total) }));
  const kept = await checkKeptRuns(db);
  // Kept rows are derived: the next report replaces them all from evidence.
  if (kept.differing.length > 0) await rebuildKeptRuns(db);
  const keepFrom = options.retentionMs === undefined ? undefined : new Date((options.now ?? new Date()).getTime() - options.retentionMs).toISOString();
  const chainCode = Math.max(printChainResult(result, out), printKeptRuns(kept, out), printRetention(result.pruned, keepFrom, out));
  if (options.checkpoints === undefined) return chainCode;
  const headSeq = result.head?.seq ?? 0;
  const pruned = result.pruned ? { throughSeq: result.pruned.throughSeq, keepFrom: keepFrom ?? result.pruned.keptFrom } : undefined;
  const checked = await verifyCheckpoints(await readCheckpoints(options.checkpoints), keys, databaseChain(db, headSeq, pruned));
  return Math.max(chainCode, printCheckpointResult(checked, headSeq, out));
}

export async function verifyingKeys(options: Pick<EvidenceVerifyOptions, 'publicKeys' | 'signingKey'>): Promise<VerifyingKey[]> {
  if (options.publicKeys && options.publicKeys.length > 0) return readPublicKeys(options.publicKeys);
  if (options.signingKey) return [options.signingKey];
  throw new VerifyUsageError('checking checkpoints needs the public key: give --public-key FILE (from `jml evidence public-key`) or set JML_EVIDENCE_SIGNING_KEY');
}

function databaseChain(db: Database, headSeq: number, pruned: CheckedChain['pruned']): CheckedChain {
  return {
    headSeq,
    ...(pruned ? { pruned } : {}),
    async hashesAt(seqs) {
      const { rows } = await db.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM evidence_events WHERE seq = ANY($1::bigint[])', [[...seqs]]);
      return new Map(rows.map((row) => [Number(row.seq), row.hash]));
    },
  };
}

/**
 * Whether the removal past retention (as recorded) kept everything recorded since keepFrom; the
 * exit code. What the record says is the owner's word: the signed checkpoints are what prove it.
 */
function printRetention(pruned: VerifyResult['pruned'], keepFrom: string | undefined, out: (line: string) => void): number {
  if (!pruned || keepFrom === undefined || Date.parse(pruned.keptFrom) <= Date.parse(keepFrom)) return 0;
  out(`seq 1-${pruned.throughSeq}: pruned_early: events recorded until ${pruned.keptFrom} were removed, but evidence.retention keeps everything recorded since ${keepFrom}`);
  return 1;
}

/** The offboarding report's kept rows against the evidence they were worked out from; the exit code. */
function printKeptRuns(result: { checked: number; differing: string[] }, out: (line: string) => void): number {
  if (result.differing.length === 0) {
    if (result.checked === 0) return 0;
    out(`offboarding report rows: ${result.checked} kept, each as its evidence gives it`);
    return 0;
  }
  for (const id of result.differing.slice(0, 50)) out(`offboarding report row ${id}: differs from its evidence (changed outside the engine)`);
  out(`offboarding report rows CHANGED: ${result.differing.length} of ${result.checked} differ from their evidence; the next report works every run out again from evidence`);
  return 1;
}

/** One line per problem, as `jml evidence verify` prints them. */
export const printProblem =
  (out: (line: string) => void) =>
  (issue: { seq: number; problem: string; detail: string }): void =>
    out(`seq ${issue.seq}: ${issue.problem}: ${issue.detail}`);

/** The closing line of a verification (with the head to keep elsewhere); the exit code. */
export function printChainResult(result: Pick<VerifyResult, 'ok' | 'checked' | 'problemCount' | 'head' | 'pruned'>, out: (line: string) => void): number {
  const head = result.head ? `; head seq ${result.head.seq} hash ${result.head.hash}` : '';
  const pruned = result.pruned;
  if (pruned) out(`seq 1-${pruned.throughSeq} (${pruned.rows} events recorded before ${pruned.keptFrom}) removed past retention; verified from seq ${pruned.throughSeq + 1}, linked to the last one removed`);
  if (result.ok) {
    out(`evidence chain intact: ${result.checked} events verified${head}`);
    return 0;
  }
  out(`evidence chain BROKEN: ${result.problemCount} problem(s) in ${result.checked} events${head}`);
  return 1;
}
