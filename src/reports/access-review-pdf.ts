import type { ReviewReport } from './access-review';
import { pageNumbers, pdfText, startPdf } from './pdf-document';
import { pdfTable, twoLineTime, type PdfColumn } from './pdf-table';
import type { ReviewItem } from '../reviews/types';

/**
 * The access-review report as a landscape A4 PDF for an auditor sampling CC6.3: the campaign
 * (scope, when it opened and closed, the snapshot per system), completion per reviewer and per
 * department, then every item with its decision. Times are UTC.
 */
const margin = 30;
const fontSize = 7;

const columns: PdfColumn<ReviewItem>[] = [
  { name: 'employeeId', width: 56, cell: (i) => `${i.employeeId}\n${i.hrSource}` },
  { name: 'department', width: 62, cell: (i) => i.department ?? '-' },
  { name: 'reviewer', width: 86, cell: (i) => i.reviewer },
  { name: 'system', width: 48, cell: (i) => i.system },
  { name: 'entitlement', width: 96, cell: (i) => i.entitlement },
  { name: 'basis', width: 56, cell: (i) => (i.basis === 'policy' ? `policy\n${i.rules.join(', ')}` : 'by hand') },
  { name: 'status', width: 48, cell: (i) => i.status },
  { name: 'decidedBy', width: 70, cell: (i) => `${i.decidedBy ?? '-'}${i.decidedVia ? `\nvia ${i.decidedVia}` : ''}` },
  { name: 'decidedAt', width: 62, cell: (i) => twoLineTime(i.decidedAt) },
  { name: 'reason', width: 120, cell: (i) => i.reason ?? '' },
  { name: 'revokeOutcome', width: 54, cell: (i) => (i.revokeOutcome ? `${i.revokeOutcome}\n${i.revokedAt?.slice(0, 19) ?? ''}` : '-') },
];

export function accessReviewPdf(report: ReviewReport, generatedAt: Date): Promise<Buffer> {
  const { campaign, summary } = report;
  const { doc, done } = startPdf({ layout: 'landscape', margin, title: `Access review ${campaign.campaignId}`, subject: 'User access review (SOC 2 CC6.3)', generatedAt });
  doc.font('Helvetica-Bold').fontSize(14).text(pdfText(`Access review ${campaign.campaignId}`), margin, margin);
  doc.moveDown(0.3).font('Helvetica').fontSize(9);
  const scope = campaign.scope;
  const scopeText = [scope.systems ? `systems ${scope.systems.join(', ')}` : 'every system', scope.entitlements ? `entitlements ${scope.entitlements.join(', ')}` : 'every entitlement', scope.departments ? `departments ${scope.departments.join(', ')}` : 'every department'].join('; ');
  doc.text(pdfText(`Scope: ${scopeText}`));
  doc.text(`Opened ${campaign.openedAt}, due ${campaign.dueAt}, ${campaign.closedAt ? `closed ${campaign.closedAt}` : `still ${campaign.status}`} (UTC). Generated ${generatedAt.toISOString()}.`);
  const systems = campaign.snapshot?.systems.map((s) => `${s.system}: ${s.status}, ${s.accounts} account(s), ${s.items} item(s)${s.error ? ` (${s.error})` : ''}`) ?? ['not taken yet'];
  doc.text(pdfText(`Snapshot: ${campaign.snapshot ? `${campaign.snapshot.workers} active worker(s); ` : ''}${systems.join('; ')}`));
  doc.moveDown(0.5).font('Helvetica-Bold').text('Summary');
  doc.font('Helvetica').text(`Items: ${summary.items}    Kept: ${summary.kept}    Revoked: ${summary.revoked}    Pending: ${summary.pending}    Not reviewed: ${summary.unreviewed}`);
  const completion = (rows: ReviewReport['byReviewer'], label: (key: string) => string) =>
    rows.map((r) => `${label(r.key)}: ${r.items === 0 ? 0 : Math.round((r.decided / r.items) * 100)}% (${r.decided}/${r.items})${r.lastDecidedAt ? `, last ${r.lastDecidedAt.slice(0, 10)}` : ''}`).join('; ');
  doc.text(pdfText(`By reviewer: ${completion(report.byReviewer, (k) => k)}`), { width: doc.page.width - 2 * margin });
  doc.text(pdfText(`By department: ${completion(report.byDepartment, (k) => k || '(none)')}`), { width: doc.page.width - 2 * margin });
  doc.moveDown(0.8);
  pdfTable(doc, columns, report.items, { margin, fontSize, highlight: (i) => i.status === 'unreviewed' || i.status === 'revoked', empty: 'No items in this campaign.', text: pdfText });
  pageNumbers(doc, margin);
  doc.end();
  return done;
}
