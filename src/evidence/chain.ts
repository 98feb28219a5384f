import { chainHash, genesisHash } from './hash';
import type { ChainProblem, EvidenceRecord, VerifyResult } from './types';

export interface ChainIssue {
  seq: number;
  problem: ChainProblem;
  detail: string;
}

export interface VerifyChainOptions {
  /** Called for every problem as it is found, so a caller can stream them. */
  onProblem?: (issue: ChainIssue) => void;
  /** Problems kept in the result; the count goes on beyond it. */
  maxProblems?: number;
  /**
   * The row before the first one walked, when the chain does not start at the beginning: the
   * last row removed past retention (its seq and hash, as `evidence_pruned` recorded them).
   */
  start?: { seq: number; hash: string };
  /** Problems found before the walk (in what was removed), reported first. */
  before?: readonly ChainIssue[];
  /** Told how many rows have been checked after each page. */
  onChecked?: (checked: number) => void;
}

/** Where in the table a hash lives; lets verify tell a moved row from a missing one. */
export type FindSeqByHash = (hash: string) => Promise<number | undefined>;

/**
 * Walks the chain in seq order, one page at a time, and classifies what it finds:
 *  - edited: a row's stored hash does not match its content (or seqs were renumbered
 *    while the links stayed intact);
 *  - deleted: a row's link points at a hash no row has (with a seq gap: those seqs are gone);
 *  - reordered: a row's link points at a row that exists but is not the one before it.
 * Removing rows at the very end leaves no trace in the chain itself; the result's head
 * (last seq and hash) is there to be compared with a copy kept elsewhere.
 */
export async function verifyChain(
  pages: AsyncIterable<readonly EvidenceRecord[]>,
  findSeqByHash: FindSeqByHash,
  options: VerifyChainOptions = {},
): Promise<VerifyResult> {
  const maxProblems = options.maxProblems ?? 10_000;
  const problems: ChainIssue[] = [];
  let problemCount = 0;
  const report = (issue: ChainIssue): void => {
    problemCount += 1;
    if (problems.length < maxProblems) problems.push(issue);
    options.onProblem?.(issue);
  };

  for (const issue of options.before ?? []) report(issue);
  let checked = 0;
  let previousSeq = options.start?.seq ?? 0;
  let previousHash = options.start?.hash ?? genesisHash;
  for await (const page of pages) {
    for (const row of page) {
      checked += 1;
      if (chainHash(row.prevHash, row) !== row.hash) {
        report({ seq: row.seq, problem: 'edited', detail: 'stored hash does not match the row content' });
      }
      const gap = row.seq !== previousSeq + 1;
      const missing = gap ? seqSpan(previousSeq + 1, row.seq - 1) : '';
      if (row.prevHash === previousHash) {
        if (gap) {
          report({
            seq: row.seq,
            problem: 'edited',
            detail: `seq jumps from ${previousSeq} to ${row.seq} but the chain is intact: seq values were altered`,
          });
        }
      } else {
        report(await classifyBrokenLink(row, previousSeq, gap, missing, findSeqByHash));
      }
      previousSeq = row.seq;
      previousHash = row.hash;
    }
    options.onChecked?.(checked);
  }

  return {
    ok: problemCount === 0,
    checked,
    problems,
    problemCount,
    head: checked === 0 && !options.start ? null : { seq: previousSeq, hash: previousHash },
  };
}

async function classifyBrokenLink(
  row: EvidenceRecord,
  previousSeq: number,
  gap: boolean,
  missing: string,
  findSeqByHash: FindSeqByHash,
): Promise<ChainIssue> {
  const after = previousSeq === 0 ? 'the start of the chain' : `seq ${previousSeq}`;
  const ownerSeq = row.prevHash === genesisHash ? 0 : await findSeqByHash(row.prevHash);
  if (ownerSeq !== undefined) {
    const follows = ownerSeq === 0 ? 'the start of the chain' : `seq ${ownerSeq}`;
    return {
      seq: row.seq,
      problem: 'reordered',
      detail: `was written after ${follows} but now follows ${after}${gap ? ` (seq ${missing} absent)` : ''}`,
    };
  }
  return {
    seq: row.seq,
    problem: 'deleted',
    detail: gap
      ? `seq ${missing} missing: the row this one was written after is gone`
      : `the row this one was written after is gone (seqs renumbered) or seq ${previousSeq}'s hash was rewritten`,
  };
}

function seqSpan(first: number, last: number): string {
  return first === last ? String(first) : `${first}-${last}`;
}
