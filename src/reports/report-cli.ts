import { writeFile } from 'node:fs/promises';
import { during, noProgress, type Progress } from '../cli/progress';
import type { Database } from '../db/database';
import { offboardingCsv } from './csv';
import type { OffboardingReport } from './offboarding';
import { offboardingPdf } from './pdf';
import { reportFromRuns } from './report-runs';

export type ReportErrorCode = 'bad_date' | 'bad_range' | 'unsupported_format' | 'pdf_needs_out';

/** A request the report cannot serve; the CLI prints the message, the API answers 400. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface OffboardingArgs {
  from: string;
  to: string;
  /** csv | json | pdf */
  format: string;
  /** File to write; absent means hand the text to write() (not allowed for pdf). */
  out?: string;
}

export type ReportFormat = 'csv' | 'json' | 'pdf';

export type RenderedReport =
  | { format: 'csv' | 'json'; contentType: string; body: string; report: OffboardingReport }
  | { format: 'pdf'; contentType: 'application/pdf'; body: Buffer; report: OffboardingReport };

/**
 * `jml report offboarding --from D --to D --format csv|json|pdf [--out F]`. Throws ReportError
 * for bad arguments (pdf without --out included) before touching the database; returns the
 * exit code.
 */
export async function runReportOffboarding(
  db: Database,
  args: OffboardingArgs,
  write: (text: string) => void,
  asOf: Date = new Date(),
  progress: Progress = noProgress,
): Promise<number> {
  checkOffboardingArgs(args);
  const rendered = await during(progress, (p) => renderOffboardingReport(db, args, asOf, (done, total) => p.update(done, total)));
  if (args.out !== undefined) await writeFile(args.out, rendered.body);
  else if (rendered.format !== 'pdf') write(rendered.body);
  return 0;
}

/** Throws ReportError for arguments the command cannot serve; lets the CLI fail before opening the database. */
export function checkOffboardingArgs(args: OffboardingArgs): void {
  const format = parseFormat(args.format);
  parseReportWindow(args.from, args.to);
  if (format === 'pdf' && args.out === undefined) {
    throw new ReportError('pdf_needs_out', '--format pdf needs --out FILE');
  }
}

/** Builds and renders the report; shared by the CLI and GET /api/reports/offboarding. */
export async function renderOffboardingReport(
  db: Database,
  args: Pick<OffboardingArgs, 'from' | 'to' | 'format'>,
  asOf: Date = new Date(),
  onProgress?: (done: number, total: number) => void,
): Promise<RenderedReport> {
  const format = parseFormat(args.format);
  const report = await loadOffboardingReport(db, parseReportWindow(args.from, args.to), asOf, onProgress);
  switch (format) {
    case 'csv':
      return { format, contentType: 'text/csv; charset=utf-8', body: offboardingCsv(report), report };
    case 'json':
      return { format, contentType: 'application/json', body: JSON.stringify(report, null, 2) + '\n', report };
    case 'pdf':
      return { format, contentType: 'application/pdf', body: await offboardingPdf(report, asOf), report };
  }
}

/** The report for a parsed window [from, to), from evidence (through the rows kept of settled runs; see report-runs.ts). */
export async function loadOffboardingReport(
  db: Database,
  window: { from: string; to: string },
  asOf: Date = new Date(),
  onProgress?: (done: number, total: number) => void,
): Promise<OffboardingReport> {
  return reportFromRuns(db, window, asOf, undefined, onProgress);
}

function parseFormat(format: string): ReportFormat {
  if (format === 'csv' || format === 'json' || format === 'pdf') return format;
  throw new ReportError('unsupported_format', `unknown format "${format}": use csv, json or pdf`);
}

const plainDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The window [from, to) in ISO-8601 UTC. A plain YYYY-MM-DD is a UTC day: `from` is its
 * start and `to` includes the whole day (its end is the next day's start), so
 * --from 2024-05-01 --to 2024-05-31 covers all of May. A full timestamp (with a zone) is used
 * as is, `to` exclusive.
 */
export function parseReportWindow(from: string, to: string): { from: string; to: string } {
  const fromIso = parseBound('from', from, false);
  const toIso = parseBound('to', to, true);
  if (Date.parse(fromIso) >= Date.parse(toIso)) {
    throw new ReportError('bad_range', `from (${from}) must be before to (${to})`);
  }
  return { from: fromIso, to: toIso };
}

function parseBound(name: string, value: string, endOfDay: boolean): string {
  const day = plainDate.exec(value);
  if (day) {
    const [, y, m, d] = day.map(Number) as [number, number, number, number];
    const start = Date.UTC(y, m - 1, d);
    const check = new Date(start);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
      throw new ReportError('bad_date', `${name}: ${value} is not a calendar date`);
    }
    return new Date(endOfDay ? start + 86_400_000 : start).toISOString();
  }
  const ms = isoDateTime.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ReportError('bad_date', `${name}: expected YYYY-MM-DD or an ISO-8601 timestamp with a zone, got "${value}"`);
  }
  return new Date(ms).toISOString();
}
