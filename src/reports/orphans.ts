/**
 * The orphan-accounts report (`jml report orphans`, GET /api/reports/orphans): every account open
 * as an orphan, with how long it has been one, and each system's latest listing, so a system that
 * could not be listed shows as failed rather than as clean. The login is the report's point for
 * auditors; it never goes to a log or an error.
 */
import { writeFile } from 'node:fs/promises';
import type { Database } from '../db/database';
import { OrphanStore, type OrphanRecord, type SystemRun } from '../orphans/store';
import { csvCell } from './csv';
import { ReportError } from './report-cli';

export interface OrphanReportRow {
  system: string;
  accountId: string;
  login: string;
  /** terminated | rescinded | unknown (HR has no worker with this email). */
  lastHrStatus: string;
  reason: string;
  orphanedSince: string;
  orphanedDays: number;
  orphanedSeconds: number;
  firstSeenAt: string;
  lastSeenAt: string;
  hrSource: string | null;
  employeeId: string | null;
}

export interface OrphanReportSystem {
  system: string;
  status: SystemRun['status'];
  lastRunAt: string;
  finishedAt: string | null;
  accounts: number;
  orphans: number;
  error: string | null;
}

export interface OrphanReport {
  generatedAt: string;
  summary: { count: number; bySystem: Record<string, number>; failedSystems: string[] };
  systems: OrphanReportSystem[];
  orphans: OrphanReportRow[];
}

export const orphanColumns = [
  'system',
  'accountId',
  'login',
  'lastHrStatus',
  'reason',
  'orphanedSince',
  'orphanedDays',
  'orphanedSeconds',
  'firstSeenAt',
  'lastSeenAt',
  'hrSource',
  'employeeId',
] as const satisfies readonly (keyof OrphanReportRow)[];

const DAY_MS = 86_400_000;

export function orphanRow(r: OrphanRecord, asOf: Date): OrphanReportRow {
  const ms = Math.max(0, asOf.getTime() - Date.parse(r.orphanedSince));
  return {
    system: r.system,
    accountId: r.accountId,
    login: r.login,
    lastHrStatus: r.hrStatus,
    reason: r.reason,
    orphanedSince: r.orphanedSince,
    orphanedDays: Math.floor(ms / DAY_MS),
    orphanedSeconds: Math.floor(ms / 1000),
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    hrSource: r.hrSource ?? null,
    employeeId: r.employeeId ?? null,
  };
}

export async function loadOrphanReport(db: Database, asOf: Date = new Date()): Promise<OrphanReport> {
  const store = new OrphanStore(db);
  const orphans: OrphanReportRow[] = [];
  for await (const page of store.open(5000)) for (const r of page) orphans.push(orphanRow(r, asOf));
  const systems = (await store.latestRuns()).map((run) => ({
    system: run.system,
    status: run.status,
    lastRunAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
    accounts: run.accounts,
    orphans: run.orphans,
    error: run.error ?? null,
  }));
  const bySystem: Record<string, number> = {};
  for (const row of orphans) bySystem[row.system] = (bySystem[row.system] ?? 0) + 1;
  const failedSystems = systems.filter((s) => s.status === 'failed').map((s) => s.system);
  return { generatedAt: asOf.toISOString(), summary: { count: orphans.length, bySystem, failedSystems }, systems, orphans };
}

/** One header line and one line per orphan, RFC 4180 (CRLF, quoted where needed, formulas defused). */
export function orphansCsv(report: OrphanReport): string {
  const lines = [orphanColumns.map((c) => csvCell(c))];
  for (const row of report.orphans) lines.push(orphanColumns.map((c) => csvCell(row[c])));
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

export type OrphanFormat = 'csv' | 'json';

export function parseOrphanFormat(format: string): OrphanFormat {
  if (format === 'csv' || format === 'json') return format;
  throw new ReportError('unsupported_format', `unknown format "${format}": use csv or json`);
}

export async function renderOrphanReport(db: Database, format: string, asOf: Date = new Date()): Promise<{ format: OrphanFormat; contentType: string; body: string; report: OrphanReport }> {
  const parsed = parseOrphanFormat(format);
  const report = await loadOrphanReport(db, asOf);
  return parsed === 'csv'
    ? { format: parsed, contentType: 'text/csv; charset=utf-8', body: orphansCsv(report), report }
    : { format: parsed, contentType: 'application/json', body: JSON.stringify(report, null, 2) + '\n', report };
}

/**
 * `jml report orphans [--format csv|json] [--out F]`. Systems whose latest listing failed are named
 * on `warn` (stderr): their orphans are as of the last listing that worked. Returns the exit code.
 */
export async function runReportOrphans(db: Database, args: { format: string; out?: string }, write: (text: string) => void, warn: (line: string) => void, asOf: Date = new Date()): Promise<number> {
  const rendered = await renderOrphanReport(db, args.format, asOf);
  if (args.out !== undefined) await writeFile(args.out, rendered.body);
  else write(rendered.body);
  for (const s of rendered.report.systems.filter((x) => x.status === 'failed')) {
    warn(`jml: ${s.system}: the latest listing (${s.lastRunAt}) failed: ${s.error ?? 'unknown error'}; its orphans are as of the last listing that worked`);
  }
  return 0;
}
