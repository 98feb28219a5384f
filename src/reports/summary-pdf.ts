import type { EvidenceRecord } from '../evidence/types';
import type { OffboardingReport } from './offboarding';
import { summaryLine } from './pdf';
import { pageNumbers, pdfText, startPdf } from './pdf-document';

/**
 * The auditor's one-document summary of an evidence package (summary.pdf): offboarding
 * timeliness for the window (the figures, then every leaver outside the SLA with why), the
 * approvals decided in it (who, what, when), the other exceptions, and how the evidence was
 * verified (the chain, and the signed checkpoint it was checked against). Portrait A4, UTC.
 */

export interface SummaryVerification {
  ok: boolean;
  /** Events checked along the chain. */
  checked: number;
  head: { seq: number; hash: string } | null;
  problems: string[];
  /** The latest signed checkpoint the chain was checked against; absent when none was given. */
  checkpoint?: { seq: number; hash: string; at: string; keyId: string };
}

export interface SummaryInput {
  report: OffboardingReport;
  /** Evidence of the window; the approvals are read from it. */
  events: readonly EvidenceRecord[];
  verification: SummaryVerification;
  generatedAt: Date;
}

export interface ApprovalLine {
  approver: string;
  employeeId: string;
  access: string;
  decision: string;
  at: string;
}

const margin = 40;
/** The evidence actions that end an approval. */
export const approvalDecisions = ['approval.decided', 'approval.expired', 'approval.cancelled'] as const;
const decisions = new Set<string>(approvalDecisions);

/** Every approval decided in these events: who decided, for whom, what, how, when. */
export function approvalLines(events: readonly EvidenceRecord[]): ApprovalLine[] {
  return events
    .filter((e) => decisions.has(e.action))
    .map((e) => ({
      approver: e.actorId,
      employeeId: e.employeeId,
      access: [e.system, e.entitlement].filter((p) => p !== undefined).join(' ') || '-',
      decision: typeof e.context.decision === 'string' ? e.context.decision : e.action.slice('approval.'.length),
      at: typeof e.context.decidedAt === 'string' ? e.context.decidedAt : e.occurredAt,
    }));
}

export function summaryPdf(input: SummaryInput): Promise<Buffer> {
  const { report, verification, generatedAt } = input;
  const { doc, done } = startPdf({
    layout: 'portrait',
    margin,
    title: `Evidence package summary ${report.from} to ${report.to}`,
    subject: 'Offboarding timeliness, approvals and evidence verification (SOC 2 CC6.2, CC6.3)',
    generatedAt,
  });
  const width = doc.page.width - 2 * margin;
  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(text, margin).moveDown(0.2).font('Helvetica').fontSize(8.5);
  const line = (text: string) => doc.text(pdfText(text), margin, undefined, { width });

  doc.font('Helvetica-Bold').fontSize(15).text('Evidence package summary', margin, margin);
  doc.font('Helvetica').fontSize(9).moveDown(0.3);
  line(`Window: ${report.from} to ${report.to} (UTC, end exclusive)`);
  line(`Generated: ${generatedAt.toISOString()} (UTC)`);

  heading('Verification');
  doc.font('Helvetica-Bold').fillColor(verification.ok ? '#146c2e' : '#a4161a');
  line(verification.ok ? 'PASSED: the evidence chain is intact' : `FAILED: ${verification.problems.length} problem(s) found`);
  doc.font('Helvetica').fillColor('black');
  line(`Events checked: ${verification.checked}; chain head: ${verification.head ? `seq ${verification.head.seq}, hash ${verification.head.hash}` : 'empty'}`);
  const cp = verification.checkpoint;
  line(cp ? `Checked against signed checkpoint: seq ${cp.seq}, hash ${cp.hash}, signed ${cp.at} with key ${cp.keyId}` : 'No signed checkpoint was given: a removed tail of the chain would not show.');
  for (const problem of verification.problems.slice(0, 20)) line(`! ${problem}`);

  heading('Offboarding timeliness');
  line(summaryLine(report.summary));
  const late = report.leavers.filter((l) => l.withinSla === false);
  doc.moveDown(0.3);
  if (late.length === 0) line('Every decided leaver had their sessions ended within the SLA.');
  else {
    line(`Outside the SLA (${late.length}):`);
    for (const l of late) {
      const took = l.secondsToSessionsKilled === null ? 'sessions not yet ended' : `sessions ended after ${l.secondsToSessionsKilled} s`;
      line(`- ${l.hrSource} ${l.employeeId}: ${took}, SLA ${l.slaSeconds ?? '?'} s; ${l.exceptions.join('; ') || 'no reason recorded'}`);
    }
  }

  heading('Approvals');
  const approvals = approvalLines(input.events);
  if (approvals.length === 0) line('No approvals were decided in this window.');
  for (const a of approvals) line(`- ${a.at}: ${a.approver} ${a.decision} ${a.access} for employee ${a.employeeId}`);

  heading('Exceptions');
  const others = report.leavers.filter((l) => l.withinSla !== false && l.exceptions.length > 0);
  if (others.length === 0) line('No other exceptions.');
  for (const l of others) line(`- ${l.hrSource} ${l.employeeId}: ${l.exceptions.join('; ')}`);

  pageNumbers(doc, margin);
  doc.end();
  return done;
}
