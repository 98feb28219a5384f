import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { create } from 'tar';
import type { Database } from '../db/database';
import { runEvidenceExport } from '../evidence/export-cli';

export interface EvidencePackage {
  /** The folder name inside the archive. */
  name: string;
  /** Whether the chain verified when the package was made (the manifest says the same). */
  chainOk: boolean;
  /** The gzipped tar; the temporary folder goes once it has been read, or on `discard()`. */
  stream: Readable;
  discard(): Promise<void>;
}

/**
 * `jml evidence export` for a window, written to a temporary folder and handed over as one
 * .tar.gz (evidence.jsonl, offboarding.csv, summary.pdf, checkpoints, manifest.json), as the
 * console's download. Bad dates throw ReportError before anything is written.
 */
export async function evidencePackage(db: Database, window: { from: string; to: string }, now: Date = new Date()): Promise<EvidencePackage> {
  const tmp = await mkdtemp(join(tmpdir(), 'jml-evidence-'));
  const discard = () => rm(tmp, { recursive: true, force: true });
  try {
    const name = `jml-evidence-${window.from.slice(0, 10)}-${window.to.slice(0, 10)}`;
    const code = await runEvidenceExport(db, { from: window.from, to: window.to, out: join(tmp, name) }, () => {}, now);
    const stream = create({ gzip: true, cwd: tmp, portable: true }, [name]) as unknown as Readable;
    let discarded: Promise<void> | undefined;
    const once = () => (discarded ??= discard());
    stream.once('end', () => void once());
    stream.once('error', () => void once());
    return { name, chainOk: code === 0, stream, discard: once };
  } catch (err) {
    await discard();
    throw err;
  }
}
