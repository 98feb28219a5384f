import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../../src/evidence/types';
import { buildOffboardingReport } from '../../../src/reports/offboarding';
import { summaryPdf, type SummaryVerification } from '../../../src/reports/summary-pdf';
import { event, leaver, t } from '../../harness/leaver-evidence';
import { inkShare, renderPdfPages } from '../../harness/pdf-pages';

/** The auditor's summary, rendered by poppler to PNG and read back: what an auditor would see. */
const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-06-01T00:00:00.000Z', asOf: t(100_000) };
const generatedAt = new Date('2024-06-02T08:00:00.000Z');
const verified: SummaryVerification = {
  ok: true,
  checked: 1234,
  head: { seq: 1234, hash: 'a'.repeat(64) },
  problems: [],
  checkpoint: { seq: 1200, hash: 'b'.repeat(64), at: '2024-06-01T23:59:00.000Z', keyId: 'evidence-2024' },
};

function approval(employeeId: string, approver: string, decision: string, at: number): EvidenceRecord {
  return {
    ...event('approval.decided', t(at), { decision, decidedAt: t(at), workflowId: `employee-${employeeId}` }, { system: 'aws', entitlement: 'group:prod-admin', employeeId }),
    actorType: 'approver',
    actorId: approver,
  };
}

describe('the evidence package summary PDF', () => {
  it('shows timeliness with every breach and its reason, approvals, exceptions and the checkpoint the chain was checked against', async () => {
    const events = [
      ...leaver({ id: 'on-time', killedAfter: 12, revokedAfter: 100 }),
      ...leaver({ id: 'late-one', killedAfter: 95, revokedAfter: 200 }),
      ...leaver({ id: 'slow-revoke', killedAfter: 20, revokedAfter: 2_000 }),
      approval('joiner-7', 'U0MANAGER', 'approved', 50),
      approval('joiner-8', 'U0OTHER', 'rejected', 60),
    ];
    const report = buildOffboardingReport(events, window);
    const pages = await renderPdfPages(await summaryPdf({ report, events, verification: verified, generatedAt }));

    expect(pages).toHaveLength(1);
    const [page] = pages;
    // A4 portrait (595 x 842 pt) at 60 dpi: 497 x 702 pixels.
    expect(page!.width).toBe(497);
    expect(page!.height).toBe(702);
    // The title band is inked; the page is mostly paper (text, not a black box).
    expect(inkShare(page!, 0, 60)).toBeGreaterThan(0.01);
    expect(inkShare(page!)).toBeGreaterThan(0.005);
    expect(inkShare(page!)).toBeLessThan(0.2);
    const text = page!.text.replace(/\s+/g, ' ');
    expect(text).toContain('Evidence package summary');
    expect(text).toContain('PASSED: the evidence chain is intact');
    expect(text).toContain(`Checked against signed checkpoint: seq 1200, hash ${'b'.repeat(64)}`);
    expect(text).toContain('Leavers: 3');
    expect(text).toContain('Within SLA: 66.67%');
    expect(text).toContain('Outside the SLA (1):');
    expect(text).toMatch(/bamboohr late-one: sessions ended after 95 s, SLA 60 s; .*sessions killed after 95s, SLA 60s/);
    expect(text).toContain(`${t(50)}: U0MANAGER approved aws group:prod-admin for employee joiner-7`);
    expect(text).toContain(`${t(60)}: U0OTHER rejected aws group:prod-admin for employee joiner-8`);
    expect(text).toMatch(/bamboohr slow-revoke: .*full revoke took 2000s, SLA 900s/);
    expect(text).toContain('Page 1 of 1');
    const breaches = text.slice(text.indexOf('Outside the SLA'), text.indexOf('Approvals'));
    expect(breaches).toContain('late-one');
    expect(breaches).not.toContain('on-time');
    expect(breaches).not.toContain('slow-revoke');
  });

  it('says plainly when verification failed or no checkpoint was given, and numbers every page of a long summary', async () => {
    const events = Array.from({ length: 90 }, (_, i) => leaver({ id: `late-${i}`, killedAfter: 61 + i, revokedAfter: 300 })).flat();
    const report = buildOffboardingReport(events, window);
    const failed: SummaryVerification = { ok: false, checked: 10, head: { seq: 10, hash: 'c'.repeat(64) }, problems: ['seq 7: hash does not match its content'] };
    const pages = await renderPdfPages(await summaryPdf({ report, events, verification: failed, generatedAt }));

    expect(pages.length).toBeGreaterThan(1);
    const first = pages[0]!.text.replace(/\s+/g, ' ');
    expect(first).toContain('FAILED: 1 problem(s) found');
    expect(first).toContain('! seq 7: hash does not match its content');
    expect(first).toContain('No signed checkpoint was given');
    const all = pages.map((p) => p.text).join('\n');
    for (let i = 0; i < 90; i++) expect(all).toContain(`late-${i}:`);
    pages.forEach((p, i) => {
      expect(p.text).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(inkShare(p)).toBeGreaterThan(0.002);
    });
  });
});
