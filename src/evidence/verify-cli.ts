import type { Database } from '../db/database';
import { EvidenceStore } from './store';
import type { VerifyResult } from './types';

/**
 * `jml evidence verify`: re-hashes the whole chain, prints one line per problem as it is
 * found and a summary line. Exit code 0 when the chain is intact, 1 when anything is wrong.
 */
export async function runEvidenceVerify(db: Database, out: (line: string) => void): Promise<number> {
  const result = await new EvidenceStore(db).verify({ onProblem: printProblem(out) });
  return printChainResult(result, out);
}

/** One line per problem, as `jml evidence verify` prints them. */
export const printProblem =
  (out: (line: string) => void) =>
  (issue: { seq: number; problem: string; detail: string }): void =>
    out(`seq ${issue.seq}: ${issue.problem}: ${issue.detail}`);

/** The closing line of a verification (with the head to keep elsewhere); the exit code. */
export function printChainResult(result: Pick<VerifyResult, 'ok' | 'checked' | 'problemCount' | 'head'>, out: (line: string) => void): number {
  const head = result.head ? `; head seq ${result.head.seq} hash ${result.head.hash}` : '';
  if (result.ok) {
    out(`evidence chain intact: ${result.checked} events verified${head}`);
    return 0;
  }
  out(`evidence chain BROKEN: ${result.problemCount} problem(s) in ${result.checked} events${head}`);
  return 1;
}
