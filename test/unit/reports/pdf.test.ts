import express from 'express';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditRouter } from '../../../src/api/audit-routes';
import type { Database } from '../../../src/db/database';
import { EvidenceStore } from '../../../src/evidence/store';
import type { LeaverRow, OffboardingReport } from '../../../src/reports/offboarding';
import { offboardingPdf } from '../../../src/reports/pdf';
import { ReportError, runReportOffboarding } from '../../../src/reports/report-cli';

/**
 * The text of each page, one string per text object (a line as drawn). pdfkit writes one
 * Flate-compressed content stream per page and draws text with hex strings in TJ arrays;
 * inflating the streams and joining those strings is enough to read back what we wrote,
 * without a PDF-parsing dependency.
 */
function pdfPages(pdf: Buffer): string[][] {
  const raw = pdf.toString('latin1');
  const pages: string[][] = [];
  const streams = /stream\r?\n/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    const lines = [...content.matchAll(/BT([\s\S]*?)ET/g)].map((block) =>
      [...(block[1] ?? '').matchAll(/<([0-9a-fA-F]*)>|\(((?:\\.|[^\\)])*)\)/g)]
        .map(([, hex, literal]) => (hex !== undefined ? Buffer.from(hex, 'hex').toString('latin1') : (literal ?? '')))
        .join(''),
    );
    if (lines.length) pages.push(lines);
  }
  return pages;
}

function leaver(employeeId: string, extra: Partial<LeaverRow> = {}): LeaverRow {
  return {
    employeeId,
    hrSource: 'bamboohr',
    terminationEffectiveAt: '2026-03-02T18:00:00.000Z',
    hrEventReceivedAt: '2026-03-02T18:00:01.000Z',
    sessionsKilledAt: '2026-03-02T18:00:13.000Z',
    accessRevokedAt: '2026-03-02T18:02:00.000Z',
    secondsToSessionsKilled: 12,
    secondsToFullRevoke: 119,
    slaSeconds: 60,
    withinSla: true,
    systems: { okta: { sessionsKilledAt: '2026-03-02T18:00:13.000Z', disabledAt: '2026-03-02T18:01:00.000Z', outcome: 'killed' } },
    exceptions: [],
    approvals: [],
    ...extra,
  };
}

const window = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
const generatedAt = new Date('2026-04-02T08:30:00.000Z');

describe('offboarding report as PDF', () => {
  it('has the title, window, generation time, summary figures and one row per leaver', async () => {
    const report: OffboardingReport = {
      ...window,
      summary: { count: 3, withinSlaShare: 0.6667, p50Seconds: 12, p95Seconds: 75.5, maxSeconds: 75.5, open: 1, held: 0, aborted: 0, rescinded: 1 },
      leavers: [
        leaver('bamboohr-101'),
        leaver('wd-20417', {
          hrSource: 'workday',
          secondsToSessionsKilled: 75.5,
          withinSla: false,
          systems: { okta: { sessionsKilledAt: null, disabledAt: null, outcome: 'failed' } },
          exceptions: ['sessions.kill okta: failure (HTTP 503)', 'sla_breach'],
        }),
        leaver('bamboohr-7', { accessRevokedAt: null, secondsToFullRevoke: null, withinSla: null }),
      ],
    };
    const pdf = await offboardingPdf(report, generatedAt);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);

    const pages = pdfPages(pdf);
    expect(pages).toHaveLength(1);
    const text = (pages[0] ?? []).join('\n');
    expect(text).toContain('Offboarding timeliness report');
    expect(text).toContain('Window: 2026-03-01T00:00:00.000Z to 2026-04-01T00:00:00.000Z');
    expect(text).toContain('Generated: 2026-04-02T08:30:00.000Z (UTC)');
    const summary = pages[0]?.find((line) => line.startsWith('Leavers:')) ?? '';
    expect(summary.split(/\s{2,}/)).toEqual([
      'Leavers: 3',
      'Within SLA: 66.67%',
      'p50: 12 s',
      'p95: 75.5 s',
      'max: 75.5 s',
      'Open: 1',
      'Rescinded: 1',
    ]);
    for (const id of ['bamboohr-101', 'wd-20417', 'bamboohr-7']) expect(pages[0]).toContain(id);
    expect(pages[0]).toContain('workday');
    expect(pages[0]).toContain('NO');
    expect(pages[0]).toContain('pending');
    expect(pages[0]).toContain('75.5');
    expect(pages[0]).toContain('! sessions.kill okta: failure (HTTP 503)');
    expect(pages[0]).toContain('Page 1 of 1');
  });

  it('repeats the column header on every page and numbers the pages', async () => {
    const leavers = Array.from({ length: 80 }, (_, i) => leaver(`emp-${String(i).padStart(3, '0')}`));
    const report: OffboardingReport = {
      ...window,
      summary: { count: 80, withinSlaShare: 1, p50Seconds: 12, p95Seconds: 12, maxSeconds: 12, open: 0, held: 0, aborted: 0, rescinded: 0 },
      leavers,
    };
    const pages = pdfPages(await offboardingPdf(report, generatedAt));
    expect(pages.length).toBeGreaterThan(2);
    pages.forEach((lines, i) => {
      expect(lines).toContain('employeeId');
      expect(lines).toContain('withinSla');
      expect(lines).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    const ids = pages.flat().filter((line) => /^emp-\d{3}$/.test(line));
    expect(ids).toEqual(leavers.map((l) => l.employeeId));
  });

  it('says so when the window has no leavers, and shows characters the fonts lack as "?"', async () => {
    const empty: OffboardingReport = {
      ...window,
      summary: { count: 0, withinSlaShare: null, p50Seconds: null, p95Seconds: null, maxSeconds: null, open: 0, held: 0, aborted: 0, rescinded: 0 },
      leavers: [],
    };
    const text = pdfPages(await offboardingPdf(empty, generatedAt)).flat();
    expect(text).toContain('No leavers in this window.');
    expect(text.find((line) => line.startsWith('Leavers:'))).toMatch(/Within SLA: n\/a\s+p50: n\/a/);

    const odd = { ...empty, leavers: [leaver('bamboohr-9', { exceptions: ['reason: 離職 – “done”'] })] };
    // The dash and quotes are in WinAnsi (bytes 0x96, 0x93, 0x94); the CJK characters are not.
    expect(pdfPages(await offboardingPdf(odd, generatedAt)).flat()).toContain('! reason: ?? \x96 \x93done\x94');
  });
});

/** A database with no evidence; fails the test if a refused command reaches it. */
function emptyDatabase(opts: { refuse?: boolean } = {}): Database {
  const query = async () => {
    if (opts.refuse) throw new Error('the database was queried');
    return { rows: [] };
  };
  return { kind: 'pglite', query: query as Database['query'], transaction: (fn) => fn({ query: query as Database['query'] }), close: async () => undefined };
}

describe('jml report offboarding --format pdf', () => {
  it('needs --out, and says so before reading anything', async () => {
    const args = { from: '2026-03-01', to: '2026-03-31', format: 'pdf' };
    const written: string[] = [];
    const run = runReportOffboarding(emptyDatabase({ refuse: true }), args, (text) => written.push(text));
    await expect(run).rejects.toThrow(new ReportError('pdf_needs_out', '--format pdf needs --out FILE'));
    await expect(run).rejects.toMatchObject({ code: 'pdf_needs_out' });
    expect(written).toEqual([]);
  });

  it('writes the PDF to --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jml-pdf-'));
    try {
      const out = join(dir, 'offboarding.pdf');
      const written: string[] = [];
      const code = await runReportOffboarding(emptyDatabase(), { from: '2026-03-01', to: '2026-03-31', format: 'pdf', out }, (t) => written.push(t), generatedAt);
      expect(code).toBe(0);
      expect(written).toEqual([]);
      const pdf = await readFile(out);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfPages(pdf).flat();
      expect(text).toContain('Window: 2026-03-01T00:00:00.000Z to 2026-04-01T00:00:00.000Z (UTC, end exclusive)');
      expect(text).toContain('No leavers in this window.');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /api/reports/offboarding?format=pdf', () => {
  it('answers an attachment of type application/pdf', async () => {
    const db = emptyDatabase();
    const app = express().use(auditRouter({ db, evidence: new EvidenceStore(db), tokens: new Map([['auditor-token-0123456789', { role: 'auditor' as const }]]) }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/reports/offboarding?from=2026-03-01&to=2026-03-31&format=pdf`, {
        headers: { authorization: 'Bearer auditor-token-0123456789' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename=offboarding-2026-03-01-2026-04-01.pdf');
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdfPages(pdf).flat()).toContain('No leavers in this window.');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
