import { pageNumbers, pdfText, startPdf } from './pdf-document';
import { pdfTable, twoLineTime as time, type PdfColumn } from './pdf-table';
import type { LeaverRow, OffboardingReport, OffboardingSummary } from './offboarding';

/**
 * The offboarding report as a landscape A4 PDF for an auditor: a title with the window and
 * the generation time, the summary, then one row per leaver under a header repeated on every
 * page, and "Page i of n" at the foot of each page. Times are UTC. Text is set in the PDF
 * standard fonts (WinAnsi), so characters they lack are shown as "?".
 */

type Column = PdfColumn<LeaverRow>;

const margin = 30;
const fontSize = 7;
const cellPadding = 2;
const systemsWidth = 262;
const maxExceptions = 3;
const maxExceptionLength = 140;

const columns: Column[] = [
  { name: 'employeeId', width: 70, cell: (r) => r.employeeId },
  { name: 'hrSource', width: 46, cell: (r) => r.hrSource },
  { name: 'terminationEffectiveAt', width: 62, cell: (r) => time(r.terminationEffectiveAt) },
  { name: 'hrEventReceivedAt', width: 62, cell: (r) => time(r.hrEventReceivedAt) },
  { name: 'sessionsKilledAt', width: 62, cell: (r) => time(r.sessionsKilledAt) },
  { name: 'accessRevokedAt', width: 62, cell: (r) => time(r.accessRevokedAt) },
  { name: 'secondsToSessionsKilled', width: 42, cell: (r) => num(r.secondsToSessionsKilled) },
  { name: 'secondsToFullRevoke', width: 42, cell: (r) => num(r.secondsToFullRevoke) },
  { name: 'slaSeconds', width: 36, cell: (r) => num(r.slaSeconds) },
  { name: 'withinSla', width: 36, cell: (r) => (r.withinSla === null ? 'pending' : r.withinSla ? 'yes' : 'NO') },
  { name: 'systems / exceptions', width: systemsWidth, cell: systemsAndExceptions },
];

/** Renders the report; generatedAt is the moment it describes (the report's asOf). */
export function offboardingPdf(report: OffboardingReport, generatedAt: Date): Promise<Buffer> {
  const { doc, done } = startPdf({
    layout: 'landscape',
    margin,
    title: `Offboarding timeliness report ${report.from} to ${report.to}`,
    subject: 'Offboarding timeliness (SOC 2 CC6.2, CC6.3)',
    generatedAt,
  });
  title(doc, report, generatedAt);
  table(doc, report.leavers);
  pageNumbers(doc, margin);
  doc.end();
  return done;
}

function title(doc: PDFKit.PDFDocument, report: OffboardingReport, generatedAt: Date): void {
  doc.font('Helvetica-Bold').fontSize(14).text('Offboarding timeliness report', margin, margin);
  doc.moveDown(0.3).font('Helvetica').fontSize(9);
  doc.text(`Window: ${report.from} to ${report.to} (UTC, end exclusive)`);
  doc.text(`Generated: ${generatedAt.toISOString()} (UTC)`);
  doc.moveDown(0.5).font('Helvetica-Bold').text('Summary');
  doc.font('Helvetica').text(summaryLine(report.summary));
  doc
    .fontSize(7)
    .fillColor('#444444')
    .text(
      'Seconds run from the later of the termination taking effect and the HR event being received. ' +
        'Share within SLA counts leavers whose session-kill SLA is decided; percentiles are nearest-rank over leavers ' +
        'whose sessions are killed; open = access not yet fully revoked; rescinded terminations are not leavers.',
      { width: doc.page.width - 2 * margin },
    )
    .fillColor('black');
  doc.moveDown(0.8);
}

/** The summary figures on one line, e.g. "Leavers: 3   Within SLA: 66.67%   p50: 12 s ...". */
export function summaryLine(s: OffboardingSummary): string {
  const share = s.withinSlaShare === null ? 'n/a' : `${trimNumber(s.withinSlaShare * 100)}%`;
  const secs = (v: number | null) => (v === null ? 'n/a' : `${trimNumber(v)} s`);
  return [
    `Leavers: ${s.count}`,
    `Within SLA: ${share}`,
    `p50: ${secs(s.p50Seconds)}`,
    `p95: ${secs(s.p95Seconds)}`,
    `max: ${secs(s.maxSeconds)}`,
    `Open: ${s.open}`,
    `Rescinded: ${s.rescinded}`,
  ].join('    ');
}

function table(doc: PDFKit.PDFDocument, leavers: readonly LeaverRow[]): void {
  pdfTable(doc, columns, leavers, { margin, fontSize, cellPadding, highlight: (row) => row.withinSla === false, empty: 'No leavers in this window.', text: pdfText });
}

/** "okta=success, aws=failure" then up to three exceptions, each cut to a readable length. */
function systemsAndExceptions(row: LeaverRow): string {
  const systems = Object.entries(row.systems).map(([name, s]) => `${name}=${s.outcome}`);
  const lines = [systems.length ? systems.join(', ') : 'no systems'];
  for (const exception of row.exceptions.slice(0, maxExceptions)) {
    lines.push(`! ${exception.length > maxExceptionLength ? `${exception.slice(0, maxExceptionLength - 3)}...` : exception}`);
  }
  if (row.exceptions.length > maxExceptions) lines.push(`(+${row.exceptions.length - maxExceptions} more exceptions)`);
  if (row.approvals.length) lines.push(`${row.approvals.length} approval(s)`);
  return lines.join('\n');
}

function num(value: number | null): string {
  return value === null ? '-' : trimNumber(value);
}

function trimNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
