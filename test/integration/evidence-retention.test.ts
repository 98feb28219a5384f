import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { checkpointLine, signCheckpoint } from '../../src/evidence/checkpoints/checkpoint';
import { publicKeyPem, type SigningKey } from '../../src/evidence/checkpoints/signing-key';
import { saveCheckpoint } from '../../src/evidence/checkpoints/store';
import { runEvidencePrune } from '../../src/evidence/prune-cli';
import { pruneEvidence } from '../../src/evidence/prune';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceRecord } from '../../src/evidence/types';
import { runEvidenceVerify } from '../../src/evidence/verify-cli';
import { openTestDatabaseOn, testEngines } from '../harness/db';
import { appendRecordedAt, daysBefore } from '../harness/evidence-months';
import { asOwner } from '../harness/evidence-tamper';
import { newSigningKeyFile } from '../harness/signing-key';

const day = 86_400_000;
const retentionMs = 400 * day;
/** The first moment of the month after the one `at` falls in (UTC): when its partition ends. */
const monthEnd = (at: string) => {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

describe.each(testEngines)('evidence retention by month (%s)', (engine) => {
  let db: Database;
  let dir: string;
  let key: SigningKey;
  let keyFile: string;
  const now = new Date();
  // Rows from 470 days back to last month: several months past 400 days, the rest within it;
  // this month is left empty.
  const ages = [470, 455, 440, 425, 410, 401, 395, 300, 120, 30, now.getUTCDate() + 1];
  let seeded: EvidenceRecord[];

  beforeEach(async () => {
    db = await openTestDatabaseOn(engine, 'retain');
    seeded = await appendRecordedAt(db, ages.map((d) => daysBefore(now, d)));
    dir = await mkdtemp(join(tmpdir(), 'jml-retain-'));
    ({ key, keyFile } = await newSigningKeyFile(dir));
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cutoff = now.getTime() - retentionMs;
  const pastRetention = () => seeded.filter((r) => monthEnd(r.recordedAt) <= cutoff);
  const partitionOf = async (seq: number) =>
    (await db.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM evidence_events WHERE seq = $1', [seq])).rows[0]?.part;
  const seqs = async () => (await db.query<{ seq: string }>('SELECT seq FROM evidence_events ORDER BY seq')).rows.map((r) => Number(r.seq));
  const verify = async (options: { checkpoints?: string } = {}) => {
    const lines: string[] = [];
    const code = await runEvidenceVerify(db, (l) => lines.push(l), { ...options, publicKeys: [keyFile], retentionMs, now });
    return { code, text: lines.join('\n') };
  };
  const prune = async (options: { dryRun?: boolean; retention?: number } = {}) => {
    const lines: string[] = [];
    const code = await runEvidencePrune(db, { retentionMs: options.retention ?? retentionMs, dryRun: options.dryRun ?? false, now }, (l) => lines.push(l));
    return { code, text: lines.join('\n') };
  };
  /** Signs a checkpoint at each seq, stores it as the publisher does and writes the sink file. */
  const checkpointAt = async (...at: number[]) => {
    const lines: string[] = [];
    for (const seq of at) {
      const row = seeded.find((r) => r.seq === seq)!;
      const checkpoint = signCheckpoint(key, { chain: 'test', seq, hash: row.hash, recordedAt: row.recordedAt }, now);
      await saveCheckpoint(db, checkpoint, publicKeyPem(key), checkpointLine(checkpoint));
      lines.push(checkpointLine(checkpoint));
    }
    const sink = join(dir, 'sink');
    await rm(sink, { recursive: true, force: true });
    await mkdir(sink);
    await writeFile(join(sink, 'checkpoints.jsonl'), lines.join('\n') + '\n');
    return sink;
  };

  it('keeps each month in a partition of its own, and an append makes the month it needs', async () => {
    const first = seeded[0]!;
    const last = seeded.at(-1)!;
    expect(await partitionOf(first.seq)).toBe(`evidence_events_${first.recordedAt.slice(0, 7).replace('-', '_')}`);
    expect(await partitionOf(last.seq)).toBe(`evidence_events_${last.recordedAt.slice(0, 7).replace('-', '_')}`);
    // Nobody made this month's partition (as if `jml migrate` had not run since): the append does.
    const current = `evidence_events_${now.toISOString().slice(0, 7).replace('-', '_')}`;
    await db.query(`DROP TABLE ${current}`);
    const record = await new EvidenceStore(db).append({ stepKey: 'after-drop', employeeId: '7', hrSource: 'bamboohr', actorType: 'engine', actorId: 'jml-engine', action: 'sessions.kill', occurredAt: now.toISOString(), outcome: 'success', context: {} });
    expect(record.seq).toBe(last.seq + 1);
    expect(await partitionOf(record.seq)).toBe(current);
    expect((await verify()).code).toBe(0);
  });

  it('removes whole months past retention, keeps everything recorded since, and verifies from where it cut', async () => {
    const gone = pastRetention();
    expect(gone.length).toBeGreaterThanOrEqual(3);
    // Retention is a floor: every row recorded since now − 400 days stays, whatever month it is in.
    const kept = seeded.filter((r) => !gone.includes(r));
    expect(seeded.filter((r) => Date.parse(r.recordedAt) >= cutoff).every((r) => kept.includes(r))).toBe(true);
    expect(kept.some((r) => Date.parse(r.recordedAt) < cutoff), 'the month straddling the cut stays whole').toBe(true);

    const dry = await prune({ dryRun: true });
    expect(dry.code).toBe(0);
    expect(dry.text).toContain('would remove');
    expect(await seqs()).toEqual(seeded.map((r) => r.seq));

    const done = await prune();
    expect(done.code, done.text).toBe(0);
    expect(done.text).toMatch(/month\(s\) removed; evidence recorded since .* is all kept/);
    expect(await seqs()).toEqual(kept.map((r) => r.seq));
    const recorded = await db.query<{ last_seq: string; last_hash: string }>('SELECT last_seq, last_hash FROM evidence_pruned WHERE last_seq IS NOT NULL ORDER BY last_seq DESC LIMIT 1');
    expect(Number(recorded.rows[0]!.last_seq)).toBe(gone.at(-1)!.seq);
    expect(recorded.rows[0]!.last_hash).toBe(gone.at(-1)!.hash);

    const verified = await verify();
    expect(verified.code, verified.text).toBe(0);
    expect(verified.text).toContain(`seq 1-${gone.at(-1)!.seq} (${gone.length} events recorded before`);
    expect(verified.text).toContain(`evidence chain intact: ${kept.length} events verified`);

    // Nothing more is due, and new evidence still chains on.
    expect((await prune()).text).toContain('nothing to prune');
    await new EvidenceStore(db).append({ stepKey: 'later', employeeId: '7', hrSource: 'bamboohr', actorType: 'engine', actorId: 'jml-engine', action: 'sessions.kill', occurredAt: now.toISOString(), outcome: 'success', context: {} });
    expect((await verify()).code).toBe(0);
  });

  it('still catches an edited or deleted row among what it kept', async () => {
    await prune();
    const firstKept = seeded.find((r) => monthEnd(r.recordedAt) > cutoff)!;
    await asOwner(db, `UPDATE evidence_events SET outcome = 'failure' WHERE seq = ${firstKept.seq + 1}`);
    const edited = await verify();
    expect(edited.code).toBe(1);
    expect(edited.text).toContain(`seq ${firstKept.seq + 1}: edited`);

    await asOwner(db, `DELETE FROM evidence_events WHERE seq = ${firstKept.seq}`);
    const deleted = await verify();
    expect(deleted.text).toContain(`seq ${firstKept.seq + 1}: deleted: seq ${firstKept.seq} missing`);
  });

  it('catches months removed before their retention ended, against the signed checkpoints', async () => {
    const recentSeq = seeded.find((r) => Date.parse(r.recordedAt) >= cutoff)!.seq;
    const sink = await checkpointAt(seeded[1]!.seq, recentSeq, seeded.at(-2)!.seq, seeded.at(-1)!.seq);
    // The owner removes with a retention of 60 days: months that 400 days must keep go too.
    expect((await prune({ retention: 60 * day })).code).toBe(0);
    const early = await verify({ checkpoints: sink });
    expect(early.code).toBe(1);
    expect(early.text).toContain('pruned_early: events recorded until');
    expect(early.text).toMatch(new RegExp(`checkpoint seq ${recentSeq}: pruned_early: the row at seq ${recentSeq} was recorded`));
  });

  it('catches a removal disguised as retention in the record, against the signed checkpoints', async () => {
    const recent = seeded.filter((r) => Date.parse(r.recordedAt) >= cutoff);
    const sink = await checkpointAt(recent[0]!.seq, seeded.at(-1)!.seq);
    // The owner drops the months through the second kept row's and writes a record that claims
    // they ended more than 400 days ago; the chain itself then verifies from there.
    const through = recent[1]!;
    const months = [...new Set(seeded.filter((r) => r.seq <= through.seq).map((r) => `evidence_events_${r.recordedAt.slice(0, 7).replace('-', '_')}`))];
    const lastOfMonth = seeded.filter((r) => months.includes(`evidence_events_${r.recordedAt.slice(0, 7).replace('-', '_')}`)).at(-1)!;
    for (const m of months) await db.query(`DROP TABLE ${m}`);
    await db.query(
      `INSERT INTO evidence_pruned (partition, kept_from, first_seq, last_seq, last_hash, rows, retention) VALUES ('all', $1, 1, $2, $3, $2, '400 days')`,
      [new Date(cutoff - 40 * day).toISOString(), lastOfMonth.seq, lastOfMonth.hash],
    );
    const chainOnly = await verify();
    expect(chainOnly.code, 'the chain alone cannot tell: that is what checkpoints are for').toBe(0);
    const checked = await verify({ checkpoints: sink });
    expect(checked.code).toBe(1);
    expect(checked.text).toContain(`checkpoint seq ${recent[0]!.seq}: pruned_early`);
  });

  it('leaves a month whose chain does not verify, or that no signed checkpoint covers yet', async () => {
    const gone = pastRetention();
    await asOwner(db, `UPDATE evidence_events SET actor_id = 'someone-else' WHERE seq = ${gone[1]!.seq}`);
    const broken = await prune();
    expect(broken.code).toBe(1);
    expect(broken.text).toMatch(/stays: its chain does not verify \(seq \d+/);
    expect((await seqs()).length).toBeGreaterThanOrEqual(seeded.length - 1);

    await asOwner(db, `UPDATE evidence_events SET actor_id = 'jml-engine' WHERE seq = ${gone[1]!.seq}`);
    // Checkpoints are being signed, and the latest covers only the first row: the months after wait.
    await checkpointAt(seeded[0]!.seq);
    const uncovered = await prune();
    expect(uncovered.code).toBe(1);
    expect(uncovered.text).toContain('no signed checkpoint covers its last row');
    const result = await pruneEvidence(db, { retentionMs, now, dryRun: true });
    expect(result.stopped).toContain('no signed checkpoint covers');
  });
});
