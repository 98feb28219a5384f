import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCheckpoint, type Checkpoint } from './checkpoint';
import { parsePublicKey, type VerifyingKey } from './signing-key';

/** A checkpoint as read from a file, with where it was found (file:line), or why that line is not one. */
export type ReadCheckpoint = { where: string; checkpoint: Checkpoint } | { where: string; problem: string };

/**
 * Every checkpoint line of a file, or of every *.jsonl file in a directory (a directory sink,
 * or lines an auditor collected from an HTTP or Slack sink). Blank lines are skipped.
 */
export async function readCheckpoints(path: string): Promise<ReadCheckpoint[]> {
  const info = await stat(path);
  const files = info.isDirectory()
    ? (await readdir(path)).filter((name) => name.endsWith('.jsonl')).sort().map((name) => join(path, name))
    : [path];
  const out: ReadCheckpoint[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = parseCheckpoint(line);
      const where = `${file}:${i + 1}`;
      out.push(typeof parsed === 'string' ? { where, problem: parsed } : { where, checkpoint: parsed });
    });
  }
  return out;
}

/** Public key files (SPKI PEM); each is known by the key ID derived from it. */
export async function readPublicKeys(paths: readonly string[]): Promise<VerifyingKey[]> {
  const keys: VerifyingKey[] = [];
  for (const path of paths) {
    try {
      keys.push(parsePublicKey(await readFile(path, 'utf8')));
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  }
  return keys;
}
