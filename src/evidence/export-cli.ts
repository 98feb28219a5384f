import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../db/database';
import { offboardingCsv } from '../reports/csv';
import { loadOffboardingReport, parseReportWindow } from '../reports/report-cli';
import { writeAnchor, type PackageAnchor } from './export-anchor';
import { exportedRecord, writeNewFile, type ExportedFile } from './export-files';
import { approvalDecisions, summaryPdf } from '../reports/summary-pdf';
import { checkpointStatus } from './checkpoints/status';
import { EvidenceStore } from './store';
import { printChainResult, printProblem } from './verify-cli';
import { ReviewStore } from '../reviews/store';
import { loadReviewReport, reviewReportCsv } from '../reports/access-review';
import { during, noProgress, type Progress } from '../cli/progress';
import type { VerifyResult } from './types';

export type { ExportedFile } from './export-files';

/** An export that cannot be written where asked; the CLI prints the message and exits 2. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}

export interface EvidenceExportArgs {
  /** YYYY-MM-DD (UTC day start) or an ISO-8601 timestamp with a zone, as for the report. */
  from: string;
  /** YYYY-MM-DD (the whole day included) or an ISO-8601 timestamp with a zone (exclusive). */
  to: string;
  /** Directory to write; created if missing, refused if it exists and is not empty. */
  out: string;
}

export interface EvidenceManifest {
  from: string;
  to: string;
  generatedAt: string;
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The whole chain re-verified after the events were read, so head.seq >= lastSeq. */
  chain: Pick<VerifyResult, 'ok' | 'checked' | 'problemCount' | 'head' | 'problems'>;
  /** What anchors the window to signed checkpoints (see export-anchor.ts). */
  checkpoints: Omit<PackageAnchor, 'files'>;
  files: ExportedFile[];
}

/**
 * `jml evidence export --from D --to D --out DIR`: an auditor's evidence package.
 *  - evidence.jsonl: every event that occurred in [from, to), in chain order, one JSON object
 *    per line with every stored field (seq, recordedAt, prevHash and hash included);
 *  - offboarding.csv: the offboarding report for the same window, as `jml report` writes it;
 *  - access-reviews/<campaign>.csv: every access-review campaign open in the window, each item with its decision;
 *  - summary.pdf: the auditor's summary (timeliness and breaches, approvals, exceptions, and the
 *    verification with the checkpoint the chain was checked against);
 *  - checkpoints.jsonl, chain-links.jsonl, public-keys/: the signed checkpoints that anchor the
 *    window and what it takes to check them offline (`jml evidence verify --package DIR`);
 *  - manifest.json: the window, counts, the result of verifying the whole chain (with the
 *    problems found, if any), and the size and SHA-256 of each file above.
 * Exit code 0 when written and the chain is intact; 1 when verification found problems (the
 * files are still written and the manifest says so; one line per problem is printed).
 * Bad dates and a non-empty DIR throw (ReportError, ExportError) before anything is written.
 */
export async function runEvidenceExport(
  db: Database,
  args: EvidenceExportArgs,
  print: (line: string) => void,
  now: Date = new Date(),
  progress: (label: string) => Progress = () => noProgress,
): Promise<number> {
  const window = parseReportWindow(args.from, args.to);
  await prepareDirectory(args.out);
  const store = new EvidenceStore(db);

  const evidence = await during(progress('export: events written'), (p) => writeEvidence(store, window, join(args.out, 'evidence.jsonl'), p));
  const report = await during(progress('export: leaver runs read'), (p) => loadOffboardingReport(db, window, now, (done, total) => p.update(done, total)));
  const csv = await writeNewFile(join(args.out, 'offboarding.csv'), [Buffer.from(offboardingCsv(report))]);

  const reviews = await writeAccessReviews(new ReviewStore(db), window, args.out);
  const anchor = await writeAnchor(db, args.out, window, evidence);

  // Verified after reading, so every exported event is covered by the check.
  const chain = await during(progress('export: chain verified'), (p) => store.verify({ onProblem: printProblem(print), onChecked: (n) => p.update(n) }));
  const status = await checkpointStatus(db, chain.head?.seq ?? 0);
  const approvals = await store.range({ from: window.from, to: window.to, actions: approvalDecisions });
  const pdf = await summaryPdf({
    report,
    events: approvals,
    verification: {
      ok: chain.ok && status.ok,
      checked: chain.checked,
      head: chain.head,
      problems: [...chain.problems.map((p) => `seq ${p.seq}: ${p.detail}`), ...(status.problem ? [status.problem] : [])],
      ...(status.latest && status.ok ? { checkpoint: status.latest } : {}),
    },
    generatedAt: now,
  });
  const summary = await writeNewFile(join(args.out, 'summary.pdf'), [pdf]);
  const manifest: EvidenceManifest = {
    from: window.from,
    to: window.to,
    generatedAt: now.toISOString(),
    events: evidence.count,
    firstSeq: evidence.firstSeq,
    lastSeq: evidence.lastSeq,
    chain: { ok: chain.ok, checked: chain.checked, problemCount: chain.problemCount, head: chain.head, problems: chain.problems },
    checkpoints: { checkpoints: anchor.checkpoints, anchor: anchor.anchor, links: anchor.links, keyIds: anchor.keyIds },
    files: [{ name: 'evidence.jsonl', ...evidence.file }, { name: 'offboarding.csv', ...csv }, { name: 'summary.pdf', ...summary }, ...reviews, ...anchor.files],
  };
  await writeNewFile(join(args.out, 'manifest.json'), [Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]);

  const seqs = evidence.count ? `, seq ${evidence.firstSeq}-${evidence.lastSeq}` : '';
  const reviewFiles = reviews.length > 0 ? `, access-reviews/ (${reviews.length} campaign(s))` : '';
  print(`wrote ${args.out}: evidence.jsonl (${evidence.count} events${seqs}), offboarding.csv (${report.leavers.length} leaver(s)), summary.pdf${reviewFiles}, checkpoints.jsonl (${anchor.checkpoints}), chain-links.jsonl (${anchor.links}), manifest.json`);
  if (anchor.anchor) print(`anchored by the checkpoint at seq ${anchor.anchor.seq} signed ${anchor.anchor.at} by ${anchor.anchor.keyId}`);
  else if (evidence.count > 0) print(`warning: no signed checkpoint covers seq ${evidence.lastSeq} yet: the package cannot be verified offline; export again after the next checkpoint (evidence.checkpointEvery)`);
  return printChainResult(chain, print);
}

/** access-reviews/<campaign>.csv for every campaign open at any time in the window, as `jml report access-review` writes it. */
async function writeAccessReviews(store: ReviewStore, window: { from: string; to: string }, out: string): Promise<ExportedFile[]> {
  const campaigns = await store.campaignsBetween(window.from, window.to);
  if (campaigns.length === 0) return [];
  await mkdir(join(out, 'access-reviews'));
  const files: ExportedFile[] = [];
  for (const campaign of campaigns) {
    const report = (await loadReviewReport(store, campaign.campaignId))!;
    const name = `access-reviews/${campaign.campaignId}.csv`;
    files.push({ name, ...(await writeNewFile(join(out, name), [Buffer.from(reviewReportCsv(report))])) });
  }
  return files;
}

/** Creates dir if missing; refuses a file, or a directory that already holds anything. */
async function prepareDirectory(dir: string): Promise<void> {
  const existing = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing === undefined) {
    await mkdir(dir, { recursive: true });
    return;
  }
  if (!existing.isDirectory()) throw new ExportError(`--out ${dir} exists and is not a directory`);
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new ExportError(`--out ${dir} is not empty (${entries.length} entries): give a new or empty directory`);
  }
}

async function writeEvidence(
  store: EvidenceStore,
  window: { from: string; to: string },
  path: string,
  progress: Progress,
): Promise<{ count: number; firstSeq: number | null; lastSeq: number | null; file: Omit<ExportedFile, 'name'> }> {
  let count = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  async function* lines(): AsyncGenerator<Buffer> {
    for await (const page of store.between(window.from, window.to)) {
      firstSeq ??= page[0]?.seq ?? null;
      lastSeq = page.at(-1)?.seq ?? lastSeq;
      count += page.length;
      progress.update(count);
      yield Buffer.from(page.map((record) => JSON.stringify(exportedRecord(record)) + '\n').join(''));
    }
  }
  const file = await writeNewFile(path, lines());
  return { count, firstSeq, lastSeq, file };
}
