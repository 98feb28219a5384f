import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../db/database';
import { checkpointLine, type Checkpoint } from './checkpoints/checkpoint';
import { checkpointsFrom } from './checkpoints/store';
import { exportedRecord, writeNewFile, type ExportedFile } from './export-files';
import { normaliseTimestamp } from './hash';
import { columns, toRecord, type EvidenceRow } from './rows';

export interface PackageAnchor {
  checkpoints: number;
  /** The checkpoint the window's last event is anchored by (seq >= lastSeq), if one exists yet. */
  anchor: Pick<Checkpoint, 'seq' | 'hash' | 'at' | 'keyId'> | null;
  /** Events between the window's first and the anchor that occurred outside the window. */
  links: number;
  keyIds: string[];
  files: ExportedFile[];
}

/** Where the package keeps the public key of each key ID (a file name without ":"). */
export const publicKeyFile = (keyId: string) => `public-keys/${keyId.replace(/[^A-Za-z0-9_-]/g, '-')}.pem`;

/**
 * What lets the package be verified without the database:
 *  - checkpoints.jsonl: every checkpoint from the window's first seq up to and including the first
 *    one at or after its last seq (the anchor), exactly as published;
 *  - chain-links.jsonl: the events in that seq range that occurred outside the window, so the
 *    window's events and these chain without a gap from the first one's prevHash to the anchor;
 *  - public-keys/<keyId>.pem: the public key of every key that signed those checkpoints.
 */
export async function writeAnchor(db: Database, dir: string, window: { from: string; to: string }, seqs: { firstSeq: number | null; lastSeq: number | null }): Promise<PackageAnchor> {
  const { firstSeq, lastSeq } = seqs;
  const stored = firstSeq === null || lastSeq === null ? [] : await checkpointsFrom(db, firstSeq, lastSeq);
  const last = stored.at(-1)?.checkpoint;
  const anchor = last && lastSeq !== null && last.seq >= lastSeq ? last : undefined;
  const linksTo = anchor?.seq ?? lastSeq;

  const files: ExportedFile[] = [];
  const checkpointText = stored.map((s) => checkpointLine(s.checkpoint) + '\n').join('');
  files.push({ name: 'checkpoints.jsonl', ...(await writeNewFile(join(dir, 'checkpoints.jsonl'), [Buffer.from(checkpointText)])) });

  let links = 0;
  async function* linkLines(): AsyncGenerator<Buffer> {
    if (firstSeq === null || linksTo === null) return;
    const { rows } = await db.query<EvidenceRow>(
      `SELECT ${columns} FROM evidence_events
        WHERE seq BETWEEN $1 AND $2 AND NOT (occurred_at >= $3::timestamptz AND occurred_at < $4::timestamptz)
        ORDER BY seq`,
      [firstSeq, linksTo, normaliseTimestamp(window.from), normaliseTimestamp(window.to)],
    );
    links = rows.length;
    yield Buffer.from(rows.map((row) => JSON.stringify(exportedRecord(toRecord(row))) + '\n').join(''));
  }
  files.push({ name: 'chain-links.jsonl', ...(await writeNewFile(join(dir, 'chain-links.jsonl'), linkLines())) });

  const keys = new Map(stored.map((s) => [s.checkpoint.keyId, s.publicKeyPem]));
  if (keys.size > 0) await mkdir(join(dir, 'public-keys'));
  for (const [keyId, pem] of keys) {
    const name = publicKeyFile(keyId);
    files.push({ name, ...(await writeNewFile(join(dir, name), [Buffer.from(pem)])) });
  }
  return {
    checkpoints: stored.length,
    anchor: anchor ? { seq: anchor.seq, hash: anchor.hash, at: anchor.at, keyId: anchor.keyId } : null,
    links,
    keyIds: [...keys.keys()],
    files,
  };
}
