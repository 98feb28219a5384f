import type { Database } from '../../src/db/database';
import { chainHash } from '../../src/evidence/hash';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceRecord } from '../../src/evidence/types';

/** Runs statements as the table's owner can: with the append-only triggers switched off. */
export async function asOwner(db: Database, ...statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE evidence_events DISABLE TRIGGER USER');
    for (const statement of statements) await tx.query(statement);
    await tx.query('ALTER TABLE evidence_events ENABLE TRIGGER USER');
  });
}

/**
 * Rewrites the row at seq with change() and recomputes its hash and every later one with the
 * engine's own hash function, so the chain alone still verifies.
 */
export async function rewriteWithRecomputedHashes(db: Database, seq: number, change: (record: EvidenceRecord) => EvidenceRecord): Promise<void> {
  const records = await new EvidenceStore(db).range({});
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE evidence_events DISABLE TRIGGER USER');
    let prevHash: string | undefined;
    for (const original of records) {
      if (original.seq < seq) continue;
      const record = original.seq === seq ? change(original) : original;
      const link = prevHash ?? record.prevHash;
      const hash = chainHash(link, record);
      await tx.query('UPDATE evidence_events SET outcome = $2, actor_id = $3, prev_hash = $4, hash = $5 WHERE seq = $1', [record.seq, record.outcome, record.actorId, link, hash]);
      prevHash = hash;
    }
    await tx.query('ALTER TABLE evidence_events ENABLE TRIGGER USER');
  });
}
