import type { Database } from '../../src/db/database';
import { chainHash, genesisHash } from '../../src/evidence/hash';
import { readChainHead } from '../../src/evidence/checkpoints/store';
import type { EvidenceRecord } from '../../src/evidence/types';

/**
 * Evidence recorded at the given moments (ascending), appended to the chain with the store's own
 * hash, as the owner can: the store itself only ever records "now". Makes the monthly partitions
 * the moments fall in first. One leaver step per row, of employee `employeeId`, workflow `leaver-<n>`.
 */
export async function appendRecordedAt(db: Database, moments: readonly Date[], options: { employeeId?: string; workflowOf?: (i: number) => string } = {}): Promise<EvidenceRecord[]> {
  if (moments.length === 0) return [];
  const months = (last: Date, first: Date) => (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth() + 1;
  await db.query('SELECT evidence_events_add_partitions($1::timestamptz, $2)', [moments[0]!.toISOString(), months(moments.at(-1)!, moments[0]!)]);
  const head = await readChainHead(db);
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? genesisHash;
  const records: EvidenceRecord[] = [];
  for (const [i, at] of moments.entries()) {
    seq += 1;
    const iso = at.toISOString();
    const body = {
      stepKey: `months-${seq}`,
      employeeId: options.employeeId ?? `m${seq}`,
      hrSource: 'bamboohr',
      actorType: 'engine' as const,
      actorId: 'jml-engine',
      action: 'sessions.kill',
      system: 'okta',
      occurredAt: iso,
      recordedAt: iso,
      outcome: 'success' as const,
      context: { workflowId: options.workflowOf?.(i) ?? `leaver-${seq}` },
    };
    const hash = chainHash(prevHash, body);
    records.push({ ...body, seq, prevHash, hash });
    prevHash = hash;
  }
  for (const r of records) {
    await db.query(
      `INSERT INTO evidence_events (seq, step_key, employee_id, hr_source, actor_type, actor_id, action, system, occurred_at, recorded_at, outcome, context, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)`,
      [r.seq, r.stepKey, r.employeeId, r.hrSource, r.actorType, r.actorId, r.action, r.system, r.occurredAt, r.recordedAt, r.outcome, JSON.stringify(r.context), r.prevHash, r.hash],
    );
  }
  return records;
}

/** The moment `days` days before `now`. */
export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
