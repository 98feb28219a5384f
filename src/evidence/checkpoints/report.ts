import type { Checkpoint } from './checkpoint';
import type { CheckpointResult } from './verify';

/** One line per checkpoint problem, as `jml evidence verify` prints them. */
export function printCheckpointResult(result: CheckpointResult, headSeq: number, out: (line: string) => void): number {
  for (const issue of result.problems) out(`checkpoint${issue.seq === null ? '' : ` seq ${issue.seq}`}: ${issue.problem}: ${issue.detail}`);
  const latest = result.latest;
  if (!latest) {
    out('checkpoints FAILED: no checkpoint with a valid signature was given');
    return 1;
  }
  if (result.ok && headSeq > latest.seq) {
    out(`seq ${latest.seq + 1}-${headSeq} are newer than the latest checkpoint and not yet anchored by one`);
  }
  const removed = result.beforeRetention > 0 ? `, ${result.beforeRetention} cover only rows removed past retention` : '';
  const summary = `${result.matched} checkpoint(s) match the chain${removed}; latest ${describe(latest)}`;
  if (result.ok) {
    out(`checkpoints verified: ${summary}`);
    return 0;
  }
  out(`checkpoints FAILED: ${result.problems.length} problem(s); ${summary}`);
  return 1;
}

export function describe(c: Checkpoint): string {
  return `seq ${c.seq} hash ${c.hash} signed ${c.at} by ${c.keyId}`;
}
