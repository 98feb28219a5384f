import { pageNumbers, pdfText, startPdf } from './pdf-document';
import type { LeaverRow, OffboardingReport, OffboardingSummary } from './offboarding';

/**
 * The offboarding report as a landscape A4 PDF for an auditor: a title with the window and
 * the generation time, the summary, then one row per leaver under a header repeated on every
 * page, and "Page i of n" at the foot of each page. Times are UTC. Text is set in the PDF
 * standard fonts (WinAnsi), so characters they lack are shown as "?".
 */

interface Column {
  /** The report column this shows (DESIGN's name, used as the header). */
  name: string;
  width: number;
  cell: (row: LeaverRow) => string;
}

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
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  let y = header(doc, doc.y);
  if (leavers.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(9).text('No leavers in this window.', margin, y + 4);
    return;
  }
  doc.font('Helvetica').fontSize(fontSize);
  for (const row of leavers) {
    const cells = columns.map((c) => pdfText(c.cell(row)));
    const height = rowHeight(doc, cells);
    if (y + height > bottom()) {
      doc.addPage();
      y = header(doc, margin);
      doc.font('Helvetica').fontSize(fontSize);
    }
    if (row.withinSla === false) doc.rect(margin, y, tableWidth(), height).fill('#fde8e8').fillColor('black');
    drawCells(doc, cells, y);
    y += height;
    doc.moveTo(margin, y).lineTo(margin + tableWidth(), y).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
  }
}

/** Draws the column header at y and returns the y below it. */
function header(doc: PDFKit.PDFDocument, y: number): number {
  doc.font('Helvetica-Bold').fontSize(fontSize);
  const cells = columns.map((c) => camelLines(doc, c.name, c.width - 2 * cellPadding));
  const height = rowHeight(doc, cells);
  doc.rect(margin, y, tableWidth(), height).fill('#e6e6e6').fillColor('black');
  drawCells(doc, cells, y);
  doc.font('Helvetica');
  return y + height;
}

function drawCells(doc: PDFKit.PDFDocument, cells: readonly string[], y: number): void {
  let x = margin;
  columns.forEach((column, i) => {
    doc.text(cells[i] ?? '', x + cellPadding, y + cellPadding, { width: column.width - 2 * cellPadding, lineGap: 0 });
    x += column.width;
  });
}

function rowHeight(doc: PDFKit.PDFDocument, cells: readonly string[]): number {
  const heights = columns.map((c, i) => doc.heightOfString(cells[i] || ' ', { width: c.width - 2 * cellPadding, lineGap: 0 }));
  return Math.max(...heights) + 2 * cellPadding;
}

function tableWidth(): number {
  return columns.reduce((sum, c) => sum + c.width, 0);
}

/** Breaks a camelCase column name between its words so it wraps inside a narrow column. */
function camelLines(doc: PDFKit.PDFDocument, name: string, width: number): string {
  const words = name.split(/(?=[A-Z])/);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && doc.widthOfString(last + word) <= width) lines[lines.length - 1] = last + word;
    else lines.push(word);
  }
  return lines.join('\n');
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

/** 2024-05-01T10:00:05.000Z as two lines (date, time) so it fits a narrow column. */
function time(iso: string | null): string {
  if (iso === null) return '-';
  const [date, clock] = iso.split('T');
  return clock === undefined ? iso : `${date}\n${clock}`;
}

function num(value: number | null): string {
  return value === null ? '-' : trimNumber(value);
}

function trimNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
