import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { hashedContent } from './hash';
import type { EvidenceRecord } from './types';

export interface ExportedFile {
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * One line of evidence.jsonl (and chain-links.jsonl): every field of the stored event, in a
 * fixed order, absent optional ones as null (as the hash reads them), so each line has the same
 * keys and hash = sha256(prevHash + canonical JSON of the fields between seq and prevHash).
 */
export function exportedRecord(record: EvidenceRecord): Record<string, unknown> {
  return {
    seq: record.seq,
    ...hashedContent(record),
    prevHash: record.prevHash,
    hash: record.hash,
  };
}

/** Writes chunks to a file that must not exist yet; returns its size and SHA-256. */
export async function writeNewFile(path: string, chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<Omit<ExportedFile, 'name'>> {
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await open(path, 'wx');
  try {
    for await (const chunk of chunks) {
      await handle.writeFile(chunk);
      hash.update(chunk);
      bytes += chunk.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}
