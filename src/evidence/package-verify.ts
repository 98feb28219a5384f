import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCheckpoints, readPublicKeys } from './checkpoints/files';
import { describe, printCheckpointResult } from './checkpoints/report';
import { verifyCheckpoints } from './checkpoints/verify';
import { chainHash, type HashableRecord } from './hash';
import { VerifyUsageError } from './verify-cli';

/** A package row: what export-files.ts's exportedRecord wrote. */
type PackageRow = HashableRecord & { seq: number; prevHash: string; hash: string };

interface PackageIssue {
  seq: number | null;
  problem: string;
  detail: string;
}

export interface PackageVerifyOptions {
  /** Public key files to trust instead of the package's own public-keys/ (an auditor's pinned copy). */
  publicKeys?: readonly string[];
}

/**
 * `jml evidence verify --package DIR`: proves an export package untampered without the
 * database. The window's events (evidence.jsonl) and the chain links between them
 * (chain-links.jsonl) must form one gapless run of seqs, each row's hash must match its content
 * and link to the row before (from the first row's prevHash on), every checkpoint must verify
 * with its public key and have exactly the hash of the package's row at its seq, and one of
 * them must be at or after the window's last event. Exit 0 when all holds, 1 otherwise.
 */
export async function runPackageVerify(dir: string, out: (line: string) => void, options: PackageVerifyOptions = {}): Promise<number> {
  const problems: PackageIssue[] = [];
  const report = (issue: PackageIssue) => {
    problems.push(issue);
    out(`package${issue.seq === null ? '' : ` seq ${issue.seq}`}: ${issue.problem}: ${issue.detail}`);
  };

  const manifestText = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
  if (manifestText === undefined) throw new VerifyUsageError(`${dir} is not an evidence package (no manifest.json; see jml evidence export)`);
  const manifest = JSON.parse(manifestText) as { from: string; to: string; files?: { name: string; sha256: string }[] };
  for (const file of manifest.files ?? []) {
    const data = await readFile(join(dir, file.name)).catch(() => undefined);
    if (data === undefined) report({ seq: null, problem: 'file_missing', detail: `${file.name}, listed in manifest.json, is not in the package` });
    else if (createHash('sha256').update(data).digest('hex') !== file.sha256) report({ seq: null, problem: 'file_changed', detail: `${file.name} is not the file that was exported (its SHA-256 differs from manifest.json)` });
  }

  const events = await readRows(join(dir, 'evidence.jsonl'), report);
  const links = await readRows(join(dir, 'chain-links.jsonl'), report);
  const from = Date.parse(manifest.from);
  const to = Date.parse(manifest.to);
  const inWindow = (row: PackageRow) => Date.parse(row.occurredAt) >= from && Date.parse(row.occurredAt) < to;
  for (const row of events) if (!inWindow(row)) report({ seq: row.seq, problem: 'outside_window', detail: `evidence.jsonl holds an event that occurred at ${row.occurredAt}, outside ${manifest.from} - ${manifest.to}` });
  for (const row of links) if (inWindow(row)) report({ seq: row.seq, problem: 'in_window', detail: `chain-links.jsonl holds an event of the window (it belongs in evidence.jsonl)` });

  const rows = [...events, ...links].sort((a, b) => a.seq - b.seq);
  let previous: PackageRow | undefined;
  for (const row of rows) {
    if (chainHash(row.prevHash, row) !== row.hash) report({ seq: row.seq, problem: 'edited', detail: 'the row does not match its hash' });
    if (previous) {
      if (row.seq === previous.seq) report({ seq: row.seq, problem: 'duplicate', detail: 'two rows with this seq' });
      else if (row.seq !== previous.seq + 1) report({ seq: row.seq, problem: 'deleted', detail: `seq ${span(previous.seq + 1, row.seq - 1)} missing from the package` });
      else if (row.prevHash !== previous.hash) report({ seq: row.seq, problem: 'broken_link', detail: `does not follow seq ${previous.seq} (its prevHash is not that row's hash)` });
    }
    previous = row;
  }

  const bySeq = new Map(rows.map((row) => [row.seq, row.hash]));
  const firstSeq = rows[0]?.seq ?? 0;
  const headSeq = previous?.seq ?? 0;
  const keys = await readPublicKeys(options.publicKeys?.length ? options.publicKeys : await packageKeyFiles(dir));
  for (const key of keys) out(`public key ${key.keyId}${options.publicKeys?.length ? ' (given)' : ' (from the package: compare this ID with the one your organisation published)'}`);
  const checked = await verifyCheckpoints(await readCheckpoints(join(dir, 'checkpoints.jsonl')), keys, {
    headSeq,
    hashesAt: async (seqs) => new Map(seqs.filter((seq) => seq >= firstSeq && bySeq.has(seq)).map((seq) => [seq, bySeq.get(seq)!])),
  });
  const checkpointCode = printCheckpointResult(checked, headSeq, out);
  const lastEvent = events.at(-1)?.seq;
  if (lastEvent !== undefined && (!checked.latest || checked.latest.seq < lastEvent)) {
    const from = checked.latest ? checked.latest.seq + 1 : (events[0]?.seq ?? lastEvent);
    report({ seq: lastEvent, problem: 'unanchored', detail: `seq ${span(Math.max(from, events[0]?.seq ?? from), lastEvent)} of the window are not covered by any signed checkpoint in the package` });
  }

  const summary = `${events.length} event(s) of ${manifest.from} - ${manifest.to}${events.length ? ` (seq ${events[0]?.seq}-${lastEvent})` : ''}, ${links.length} chain link(s)`;
  if (problems.length === 0 && checkpointCode === 0) {
    out(`package verified: ${summary}; anchored by the checkpoint at ${checked.latest ? describe(checked.latest) : 'none'}`);
    return 0;
  }
  out(`package FAILED: ${problems.length + checked.problems.length} problem(s); ${summary}`);
  return 1;
}

async function readRows(path: string, report: (issue: PackageIssue) => void): Promise<PackageRow[]> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) {
    report({ seq: null, problem: 'file_missing', detail: `${path} is missing` });
    return [];
  }
  const rows: PackageRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const row = JSON.parse(line) as PackageRow;
      if (!Number.isSafeInteger(row.seq) || typeof row.hash !== 'string' || typeof row.prevHash !== 'string') throw new Error('no seq, prevHash or hash');
      rows.push(row);
    } catch {
      report({ seq: null, problem: 'malformed', detail: `${path}:${i + 1} is not an exported event` });
    }
  });
  return rows;
}

async function packageKeyFiles(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, 'public-keys')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.pem')).sort().map((name) => join(dir, 'public-keys', name));
}

function span(first: number, last: number): string {
  return first >= last ? String(last) : `${first}-${last}`;
}
