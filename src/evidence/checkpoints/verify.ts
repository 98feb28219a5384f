import { checkpointVerifies, type Checkpoint } from './checkpoint';
import type { ReadCheckpoint } from './files';
import type { VerifyingKey } from './signing-key';

export type CheckpointProblem = 'malformed' | 'unknown_key' | 'bad_signature' | 'forked' | 'rewritten' | 'missing' | 'truncated' | 'pruned_early';

export interface CheckpointIssue {
  seq: number | null;
  problem: CheckpointProblem;
  detail: string;
}

/** The chain the checkpoints are checked against: the database's, or a package's rows. */
export interface CheckedChain {
  /** Last seq of the chain (0 when empty). */
  headSeq: number;
  /** Hash of the row at each asked seq that exists. */
  hashesAt(seqs: readonly number[]): Promise<Map<number, string>>;
  /**
   * The prefix removed past retention (rows up to throughSeq), and the moment since which every
   * row must still be there (now − evidence.retention).
   */
  pruned?: { throughSeq: number; keepFrom: string };
}

export interface CheckpointResult {
  ok: boolean;
  /** Checkpoints that verified and matched the chain. */
  matched: number;
  /** Checkpoints that verified and cover only rows removed past retention. */
  beforeRetention: number;
  problems: CheckpointIssue[];
  /** The highest-seq checkpoint whose signature verified. */
  latest: Checkpoint | null;
}

const short = (hash: string) => `${hash.slice(0, 16)}…`;
const signedBy = (c: Checkpoint) => `signed ${c.at} by ${c.keyId}`;

/**
 * Checks checkpoints against a chain: each one's signature (with the public key its key ID
 * names), that checkpoints for one seq agree (else two chains were signed: a fork), that the
 * row at each seq has exactly the signed hash (else the chain was rewritten at or before it),
 * and that the chain reaches the latest checkpoint (else its tail was removed). A checkpoint
 * that does not verify vouches for nothing and is not compared with the chain.
 */
export async function verifyCheckpoints(read: readonly ReadCheckpoint[], keys: readonly VerifyingKey[], chain: CheckedChain): Promise<CheckpointResult> {
  const problems: CheckpointIssue[] = [];
  const byKeyId = new Map(keys.map((k) => [k.keyId, k]));
  const valid: Checkpoint[] = [];
  for (const entry of read) {
    if ('problem' in entry) {
      problems.push({ seq: null, problem: 'malformed', detail: `${entry.where}: ${entry.problem}` });
      continue;
    }
    const c = entry.checkpoint;
    const key = byKeyId.get(c.keyId);
    if (!key) {
      problems.push({ seq: c.seq, problem: 'unknown_key', detail: `${entry.where}: signed by ${c.keyId}, and no public key with that ID was given (have: ${[...byKeyId.keys()].join(', ') || 'none'})` });
    } else if (!checkpointVerifies(c, key)) {
      problems.push({ seq: c.seq, problem: 'bad_signature', detail: `${entry.where}: the signature does not verify with ${c.keyId}: the checkpoint was altered or not signed by that key` });
    } else {
      valid.push(c);
    }
  }

  const bySeq = new Map<number, Checkpoint[]>();
  for (const c of valid) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c]);
  for (const [seq, group] of bySeq) {
    const hashes = [...new Set(group.map((c) => c.hash))];
    if (hashes.length > 1) {
      problems.push({ seq, problem: 'forked', detail: `${hashes.length} signed checkpoints disagree on the hash at seq ${seq} (${hashes.map(short).join(', ')}): two different chains were signed as this one` });
    }
  }

  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const prunedThrough = chain.pruned?.throughSeq ?? 0;
  const actual = await chain.hashesAt(seqs.filter((seq) => seq > prunedThrough && seq <= chain.headSeq));
  let matched = 0;
  let beforeRetention = 0;
  for (const seq of seqs) {
    if (seq > chain.headSeq) continue;
    if (seq <= prunedThrough) {
      // Gone with its month: fine when the row was recorded before what retention keeps.
      for (const c of bySeq.get(seq) ?? []) {
        if (Date.parse(c.recordedAt) < Date.parse(chain.pruned!.keepFrom)) beforeRetention += 1;
        else problems.push({ seq, problem: 'pruned_early', detail: `the row at seq ${seq} was recorded ${c.recordedAt} (checkpoint ${signedBy(c)}) and is gone, but everything recorded since ${chain.pruned!.keepFrom} must be kept: evidence was removed before its retention ended` });
      }
      continue;
    }
    const hash = actual.get(seq);
    for (const c of bySeq.get(seq) ?? []) {
      if (hash === undefined) {
        problems.push({ seq, problem: 'missing', detail: `no row at seq ${seq}, which the checkpoint ${signedBy(c)} covers` });
      } else if (hash !== c.hash) {
        problems.push({ seq, problem: 'rewritten', detail: `the row at seq ${seq} has hash ${short(hash)}, the checkpoint ${signedBy(c)} says ${short(c.hash)}: the chain was rewritten at or before seq ${seq}, or is not the chain that was signed` });
      } else {
        matched += 1;
      }
    }
  }

  const latest = valid.reduce<Checkpoint | null>((best, c) => (best === null || c.seq > best.seq ? c : best), null);
  if (latest && latest.seq > chain.headSeq) {
    const gone = chain.headSeq + 1 === latest.seq ? `seq ${latest.seq} is` : `seq ${chain.headSeq + 1}-${latest.seq} are`;
    problems.push({ seq: latest.seq, problem: 'truncated', detail: `the chain ends at seq ${chain.headSeq} but the checkpoint ${signedBy(latest)} covers seq ${latest.seq}: ${gone} gone` });
  }
  return { ok: problems.length === 0, matched, beforeRetention, problems, latest };
}
