/** How evidence rows leave the database and become records. */
import type { Queryable } from '../db/database';
import type { ActorType, EvidenceContext, EvidenceRecord, Outcome } from './types';

export interface EvidenceRow {
  seq: string | number;
  step_key: string;
  employee_id: string;
  hr_source: string;
  actor_type: string;
  actor_id: string;
  action: string;
  system: string | null;
  entitlement: string | null;
  occurred_at: string;
  recorded_at: string;
  origin: string | null;
  outcome: string;
  context: EvidenceContext | string;
  prev_hash: string;
  hash: string;
}

// Timestamps leave the database as text with microseconds, whatever the driver's type
// parsers do; toIso() keeps the 6 digits only when they are not a whole millisecond, so a
// sub-millisecond edit still changes the hashed string.
export const isoUtc = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
export const columns = `seq, step_key, employee_id, hr_source, actor_type, actor_id, action, system, entitlement,
  to_char(occurred_at AT TIME ZONE 'UTC', ${isoUtc}) AS occurred_at,
  to_char(recorded_at AT TIME ZONE 'UTC', ${isoUtc}) AS recorded_at,
  origin, outcome, context, prev_hash, hash`;

/** The rows already written under these stepKeys, by stepKey. */
export async function findByStepKeys(q: Queryable, stepKeys: readonly string[]): Promise<Map<string, EvidenceRecord>> {
  const result = await q.query<EvidenceRow>(`SELECT ${columns} FROM evidence_events WHERE step_key = ANY($1::text[])`, [[...stepKeys]]);
  return new Map(result.rows.map((row) => [row.step_key, toRecord(row)]));
}

export function toRecord(row: EvidenceRow): EvidenceRecord {
  // Drivers hand jsonb back parsed, but a custom type parser may leave it as text.
  const context = typeof row.context === 'string' ? (JSON.parse(row.context) as EvidenceContext) : row.context;
  return {
    seq: Number(row.seq),
    stepKey: row.step_key,
    employeeId: row.employee_id,
    hrSource: row.hr_source,
    actorType: row.actor_type as ActorType,
    actorId: row.actor_id,
    action: row.action,
    ...(row.system !== null ? { system: row.system } : {}),
    ...(row.entitlement !== null ? { entitlement: row.entitlement } : {}),
    occurredAt: toIso(row.occurred_at),
    recordedAt: toIso(row.recorded_at),
    ...(row.origin !== null ? { where: row.origin } : {}),
    outcome: row.outcome as Outcome,
    context,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** 2024-05-01T10:00:00.123000Z -> 2024-05-01T10:00:00.123Z; sub-millisecond digits are kept. */
export function toIso(text: string): string {
  return text.replace(/\.(\d{3})000Z$/, '.$1Z');
}
