import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { startCheckpointPublisher } from '../../src/evidence/checkpoints/publisher';
import { publicKeyPem, type SigningKey } from '../../src/evidence/checkpoints/signing-key';
import { publicKeyFile } from '../../src/evidence/export-anchor';
import { renderPdfPages } from '../harness/pdf-pages';
import { runEvidenceExport, type EvidenceManifest } from '../../src/evidence/export-cli';
import { runPackageVerify } from '../../src/evidence/package-verify';
import { EvidenceStore } from '../../src/evidence/store';
import { openTestDatabaseOn, testEngines } from '../harness/db';
import { newSigningKey } from '../harness/signing-key';

const log = pino({ level: 'silent' });
const now = new Date('2026-04-02T08:00:00.000Z');
const march = (day: number, s: number) => new Date(Date.UTC(2026, 2, day, 18, 0, s)).toISOString();

describe.each(testEngines)('an exported evidence package verified offline (%s)', (engine) => {
  let db: Database;
  let store: EvidenceStore;
  let dir: string;
  let key: SigningKey;
  let pkg: string;

  const append = (stepKey: string, occurredAt: string) =>
    store.append({ stepKey, employeeId: '77', hrSource: 'bamboohr', actorType: 'engine', actorId: 'jml-engine', action: 'account.disable', system: 'okta', occurredAt, outcome: 'success', context: { workflowId: 'leaver-bamboohr-77-x' } });
  const checkpoint = async () => {
    const publisher = startCheckpointPublisher({ db, key, sinks: [], everyMs: 60_000, log });
    await publisher.round();
    await publisher.stop();
  };

  /**
   * seq 1 February, checkpoint; seq 2-4 March, seq 5 April (occurred outside the window but
   * written between), seq 6 March, checkpoint at 6; seq 7 March, seq 8 April, checkpoint at 8.
   */
  beforeEach(async () => {
    db = await openTestDatabaseOn(engine, 'pkg');
    store = new EvidenceStore(db);
    dir = await mkdtemp(join(tmpdir(), 'jml-pkg-'));
    key = newSigningKey();
    await append('feb', '2026-02-20T10:00:00.000Z');
    await checkpoint();
    for (let i = 2; i <= 4; i++) await append(`m${i}`, march(2, i));
    await append('apr-early', '2026-04-01T09:00:00.000Z');
    await append('m6', march(3, 6));
    await checkpoint();
    await append('m7', march(4, 7));
    await append('apr', '2026-04-01T10:00:00.000Z');
    await checkpoint();
    pkg = join(dir, 'package');
    expect(await runEvidenceExport(db, { from: '2026-03-01', to: '2026-03-31', out: pkg }, () => undefined, now)).toBe(0);
    // Offline from here on: the database is gone.
    await db.close();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const verify = async (publicKeys?: string[]) => {
    const lines: string[] = [];
    const code = await runPackageVerify(pkg, (l) => lines.push(l), publicKeys ? { publicKeys } : {});
    return { code, text: lines.join('\n') };
  };
  const file = (name: string) => join(pkg, name);
  const lines = async (name: string) => (await readFile(file(name), 'utf8')).split('\n').filter(Boolean);
  /** Rewrites a package file and its manifest entry, as someone covering their tracks would. */
  const replace = async (name: string, text: string) => {
    await writeFile(file(name), text);
    const manifest = JSON.parse(await readFile(file('manifest.json'), 'utf8')) as EvidenceManifest;
    const { createHash } = await import('node:crypto');
    for (const f of manifest.files) if (f.name === name) Object.assign(f, { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
    await writeFile(file('manifest.json'), JSON.stringify(manifest));
  };

  it('writes the checkpoints, the chain links and the public key, and a clean package verifies', async () => {
    const manifest = JSON.parse(await readFile(file('manifest.json'), 'utf8')) as EvidenceManifest;
    expect(manifest.checkpoints).toMatchObject({ checkpoints: 2, links: 2, keyIds: [key.keyId], anchor: { seq: 8, keyId: key.keyId } });
    expect((await lines('evidence.jsonl')).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([2, 3, 4, 6, 7]);
    expect((await lines('chain-links.jsonl')).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([5, 8]);
    expect(await readFile(file(publicKeyFile(key.keyId)), 'utf8')).toBe(publicKeyPem(key));
    const { code, text } = await verify();
    expect(text).toContain(`public key ${key.keyId}`);
    expect(text).toMatch(/package verified: 5 event\(s\) of .* \(seq 2-7\), 2 chain link\(s\); anchored by the checkpoint at seq 8/);
    expect(code).toBe(0);
    // The summary names the checkpoint the chain was checked against.
    const summary = (await renderPdfPages(await readFile(file('summary.pdf')))).map((p) => p.text.replace(/\s+/g, ' ')).join(' ');
    expect(summary).toContain('PASSED: the evidence chain is intact');
    expect(summary).toMatch(new RegExp(`Checked against signed checkpoint: seq 8, hash [0-9a-f]{64}, signed \\S+ with key ${key.keyId}`));
    // An auditor's own copy of the public key gives the same answer.
    const pinned = join(dir, 'published.pem');
    await writeFile(pinned, publicKeyPem(key));
    expect((await verify([pinned])).code).toBe(0);
  });

  it('catches an edited row', async () => {
    const rows = await lines('evidence.jsonl');
    rows[1] = rows[1]!.replace('"outcome":"success"', '"outcome":"failure"');
    await replace('evidence.jsonl', rows.join('\n') + '\n');
    const { code, text } = await verify();
    expect(text).toContain('package seq 3: edited: the row does not match its hash');
    expect(code).toBe(1);
  });

  it('catches a removed row, even with the manifest updated', async () => {
    const rows = await lines('evidence.jsonl');
    rows.splice(2, 1);
    await replace('evidence.jsonl', rows.join('\n') + '\n');
    const { code, text } = await verify();
    expect(text).not.toContain('file_changed');
    expect(text).toContain('package seq 5: deleted: seq 4 missing from the package');
    expect(code).toBe(1);
  });

  it('catches a removed tail', async () => {
    const rows = await lines('evidence.jsonl');
    await replace('evidence.jsonl', rows.slice(0, -1).join('\n') + '\n');
    await replace('chain-links.jsonl', (await lines('chain-links.jsonl')).slice(0, 1).join('\n') + '\n');
    const { code, text } = await verify();
    expect(text).toMatch(/checkpoint seq 8: truncated: the chain ends at seq 6 but the checkpoint signed .* covers seq 8: seq 7-8 are gone/);
    expect(code).toBe(1);
  });

  it('catches a swapped public key', async () => {
    await replace(publicKeyFile(key.keyId), publicKeyPem(newSigningKey()));
    const { code, text } = await verify();
    expect(text).toMatch(/checkpoint seq 6: unknown_key: .*signed by ed25519:[0-9a-f]{16}, and no public key with that ID was given/);
    expect(text).toMatch(/package seq 7: unanchored/);
    expect(code).toBe(1);
  });

  it('catches a package re-signed with another key when the auditor pins the published one', async () => {
    const pinned = join(dir, 'published.pem');
    await writeFile(pinned, publicKeyPem(newSigningKey()));
    const { code, text } = await verify([pinned]);
    expect(text).toContain('unknown_key');
    expect(code).toBe(1);
  });
});
