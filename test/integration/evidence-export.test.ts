import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { ExportError, runEvidenceExport, type EvidenceManifest } from '../../src/evidence/export-cli';
import { chainHash } from '../../src/evidence/hash';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceRecord } from '../../src/evidence/types';
import { ReportError, runReportOffboarding } from '../../src/reports/report-cli';
import { openTestDatabase } from '../harness/db';
import { renderPdfPages } from '../harness/pdf-pages';

let db: Database;
let store: EvidenceStore;
let dir: string;

const now = new Date('2026-04-02T08:00:00.000Z');
const at = (day: number, s: number) => new Date(Date.UTC(2026, 2, day, 18, 0, s)).toISOString();

beforeEach(async () => {
  db = await openTestDatabase('export');
  store = new EvidenceStore(db);
  dir = await mkdtemp(join(tmpdir(), 'jml-export-'));
});

afterEach(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Seq 1: February; seq 2-6: a leaver on 2 March; seq 7: April (outside a March window). */
async function seed(): Promise<void> {
  const base = { employeeId: '77', hrSource: 'bamboohr', actorType: 'engine' as const, actorId: 'jml-engine' };
  const workflowId = 'leaver-bamboohr-77-abc';
  await store.append({ ...base, stepKey: 'feb', action: 'hr_event.received', occurredAt: '2026-02-27T09:00:00.000Z', outcome: 'success', context: {} });
  await store.append({
    ...base,
    stepKey: `${workflowId}:started`,
    action: 'leaver.started',
    occurredAt: at(2, 0),
    outcome: 'success',
    context: { workflowId, terminationEffectiveAt: at(2, 0), hrEventReceivedAt: at(2, 0), slaSeconds: 60, fullRevokeSlaSeconds: 900, systems: ['okta'] },
  });
  await store.append({ ...base, stepKey: `${workflowId}:kill`, action: 'sessions.kill', system: 'okta', where: 'okta.example', occurredAt: at(2, 3), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: `${workflowId}:killed`, action: 'leaver.sessions_killed', occurredAt: at(2, 3), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: `${workflowId}:disable`, action: 'account.disable', system: 'okta', occurredAt: at(2, 5), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: `${workflowId}:done`, action: 'leaver.completed', occurredAt: at(2, 9), outcome: 'success', context: { workflowId } });
  await store.append({ ...base, stepKey: 'apr', action: 'hr_event.received', occurredAt: '2026-04-01T00:00:00.000Z', outcome: 'success', context: {} });
}

/** Changes rows as a superuser could: with the append-only triggers switched off. */
async function tamper(...statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE evidence_events DISABLE TRIGGER USER');
    for (const statement of statements) await tx.query(statement);
    await tx.query('ALTER TABLE evidence_events ENABLE TRIGGER USER');
  });
}

async function readPackage(out: string) {
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as EvidenceManifest;
  const jsonl = await readFile(join(out, 'evidence.jsonl'), 'utf8');
  const events = jsonl
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EvidenceRecord & Record<string, unknown>);
  return { manifest, jsonl, events, csv: await readFile(join(out, 'offboarding.csv'), 'utf8') };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('jml evidence export', () => {
  it('writes the window’s events in chain order, the offboarding CSV and a manifest of the verified chain', async () => {
    await seed();
    const out = join(dir, 'q1', 'package');
    const lines: string[] = [];
    expect(await runEvidenceExport(db, { from: '2026-03-01', to: '2026-03-31', out }, (l) => lines.push(l), now)).toBe(0);
    // No signing key here: no checkpoints, so nothing anchors the window yet (and no public key).
    expect((await readdir(out)).sort()).toEqual(['chain-links.jsonl', 'checkpoints.jsonl', 'evidence.jsonl', 'manifest.json', 'offboarding.csv', 'summary.pdf']);

    const { manifest, events, csv } = await readPackage(out);
    const head = (await store.verify()).head;
    expect(manifest).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      generatedAt: now.toISOString(),
      events: 5,
      firstSeq: 2,
      lastSeq: 6,
      chain: { ok: true, checked: 7, problemCount: 0, head, problems: [] },
      checkpoints: { checkpoints: 0, anchor: null, links: 0, keyIds: [] },
      files: [
        { name: 'evidence.jsonl', bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'offboarding.csv', bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'summary.pdf', bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'checkpoints.jsonl', bytes: 0, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'chain-links.jsonl', bytes: 0, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ],
    });
    expect(head).toMatchObject({ seq: 7 });
    for (const file of manifest.files) {
      const bytes = await readFile(join(out, file.name));
      expect({ name: file.name, bytes: bytes.length, sha256: sha256(bytes) }).toEqual(file);
    }

    const stored = await store.range({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' });
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    events.forEach((event, i) => {
      const record = stored[i] as EvidenceRecord;
      expect(Object.keys(event)).toEqual(['seq', 'stepKey', 'employeeId', 'hrSource', 'actorType', 'actorId', 'action', 'system', 'entitlement', 'occurredAt', 'recordedAt', 'where', 'outcome', 'context', 'prevHash', 'hash']);
      expect(event).toMatchObject({ seq: record.seq, occurredAt: record.occurredAt, recordedAt: record.recordedAt, prevHash: record.prevHash, hash: record.hash, system: record.system ?? null, where: record.where ?? null });
      // An auditor can re-check each line's hash and each link without the database.
      expect(chainHash(event.prevHash, event)).toBe(event.hash);
      if (i > 0) expect(event.prevHash).toBe(events[i - 1]?.hash);
    });

    let expectedCsv = '';
    await runReportOffboarding(db, { from: '2026-03-01', to: '2026-03-31', format: 'csv' }, (t) => (expectedCsv += t), now);
    expect(csv).toBe(expectedCsv);
    expect(csv.split('\r\n')[1]).toMatch(/^77,bamboohr,2026-03-02T18:00:00.000Z,/);
    // The auditor's summary, as rendered: the window's leaver and the verification it passed.
    const summary = (await renderPdfPages(await readFile(join(out, 'summary.pdf')))).map((p) => p.text.replace(/\s+/g, ' ')).join(' ');
    expect(summary).toContain('Window: 2026-03-01T00:00:00.000Z to 2026-04-01T00:00:00.000Z');
    expect(summary).toContain('PASSED: the evidence chain is intact');
    expect(summary).toContain(`Events checked: 7; chain head: seq 7, hash ${head?.hash}`);
    expect(summary).toContain('No signed checkpoint was given');
    expect(summary).toContain('Leavers: 1');

    expect(lines).toEqual([
      `wrote ${out}: evidence.jsonl (5 events, seq 2-6), offboarding.csv (1 leaver(s)), summary.pdf, checkpoints.jsonl (0), chain-links.jsonl (0), manifest.json`,
      'warning: no signed checkpoint covers seq 6 yet: the package cannot be verified offline; export again after the next checkpoint (evidence.checkpointEvery)',
      `evidence chain intact: 7 events verified; head seq 7 hash ${head?.hash}`,
    ]);
  });

  it('takes ISO timestamps with a zone as the window, the end exclusive', async () => {
    await seed();
    const out = join(dir, 'pkg');
    await runEvidenceExport(db, { from: '2026-03-02T19:00:03+01:00', to: '2026-03-02T18:00:09Z', out }, () => undefined, now);
    const { manifest, events } = await readPackage(out);
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(manifest).toMatchObject({ from: '2026-03-02T18:00:03.000Z', to: '2026-03-02T18:00:09.000Z', events: 3, firstSeq: 3, lastSeq: 5 });
  });

  it('writes an empty package for a window without events, into an existing empty directory', async () => {
    await seed();
    const out = join(dir, 'empty');
    await mkdir(out);
    expect(await runEvidenceExport(db, { from: '2025-01-01', to: '2025-01-31', out }, () => undefined, now)).toBe(0);
    const { manifest, jsonl, csv } = await readPackage(out);
    expect(jsonl).toBe('');
    expect(csv.trim().split('\r\n')).toHaveLength(1);
    expect(manifest).toMatchObject({ events: 0, firstSeq: null, lastSeq: null, chain: { ok: true, checked: 7 } });
    expect(manifest.files[0]).toEqual({ name: 'evidence.jsonl', bytes: 0, sha256: sha256(Buffer.alloc(0)) });
  });

  it('refuses a directory that is not empty, a file, and bad dates, writing nothing', async () => {
    await seed();
    const used = join(dir, 'used');
    await mkdir(used);
    await writeFile(join(used, 'old.txt'), 'keep me');
    const run = (out: string, from = '2026-03-01') => runEvidenceExport(db, { from, to: '2026-03-31', out }, () => undefined, now);
    await expect(run(used)).rejects.toThrow(new ExportError(`--out ${used} is not empty (1 entries): give a new or empty directory`));
    expect(await readdir(used)).toEqual(['old.txt']);
    await expect(run(join(used, 'old.txt'))).rejects.toThrow(ExportError);
    await expect(run(join(dir, 'bad'), '2026-02-30')).rejects.toThrow(new ReportError('bad_date', 'from: 2026-02-30 is not a calendar date'));
    expect((await readdir(dir)).sort()).toEqual(['used']);
  });

  it('exits 1 on an edited row, still writing the package, with the problem in the manifest', async () => {
    await seed();
    await tamper(`UPDATE evidence_events SET outcome = 'failure' WHERE seq = 3`);
    const out = join(dir, 'tampered');
    const lines: string[] = [];
    expect(await runEvidenceExport(db, { from: '2026-03-01', to: '2026-03-31', out }, (l) => lines.push(l), now)).toBe(1);
    const { manifest, events } = await readPackage(out);
    expect(manifest.chain).toMatchObject({
      ok: false,
      checked: 7,
      problemCount: 1,
      head: { seq: 7 },
      problems: [{ seq: 3, problem: 'edited', detail: 'stored hash does not match the row content' }],
    });
    expect(events.find((e) => e.seq === 3)).toMatchObject({ outcome: 'failure' });
    expect(lines[0]).toBe('seq 3: edited: stored hash does not match the row content');
    expect(lines.at(-1)).toMatch(/^evidence chain BROKEN: 1 problem\(s\) in 7 events; head seq 7 hash [0-9a-f]{64}$/);
  });
});

describe('EvidenceStore.between', () => {
  it('pages the events of [from, to) in chain order', async () => {
    await seed();
    const pages: number[][] = [];
    for await (const page of store.between('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 2)) pages.push(page.map((e) => e.seq));
    expect(pages).toEqual([[2, 3], [4, 5], [6]]);
    const all: number[] = [];
    for await (const page of store.between('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')) all.push(...page.map((e) => e.seq));
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
