/**
 * A year of offboarding evidence for the report benchmark: `leavers` leaver runs spread evenly
 * over the twelve months of 2025, each with the events a real run across three systems writes
 * (leaver.started; per system sessions.kill, account.disable, entitlements.revoke_all;
 * leaver.sessions_killed; leaver.completed), chained with the store's own hash exactly as the
 * store writes them, so `jml evidence verify` would pass over it. Written with unnest() in
 * batches, straight into evidence_events (inserts only: the append-only triggers stay on).
 */
import type { Database } from '../src/db/database';
import { chainHash, genesisHash } from '../src/evidence/hash';
import type { EvidenceContext, Outcome } from '../src/evidence/types';

const systems = ['okta', 'aws', 'github'] as const;
const yearStart = Date.UTC(2025, 0, 1);
const yearMs = Date.UTC(2026, 0, 1) - yearStart;

interface SeedRow {
  stepKey: string;
  employeeId: string;
  action: string;
  system: string | null;
  occurredAt: string;
  outcome: Outcome;
  context: EvidenceContext;
}

/** One leaver's run: sessions end 5-70 s after the clock starts (about 1 in 14 late), access 2-10 min. */
function leaverRun(i: number, leavers: number): SeedRow[] {
  const employeeId = String(100_000 + i);
  const workflowId = `leaver-bamboohr-${employeeId}-ev${i}`;
  const effective = yearStart + Math.floor((i + 0.5) * (yearMs / leavers));
  const at = (ms: number) => new Date(effective + ms).toISOString();
  const killedMs = 5_000 + ((i * 7919) % 65_000);
  const revokedMs = 120_000 + ((i * 104_729) % 480_000);
  const ctx = { workflowId };
  const rows: SeedRow[] = [
    {
      stepKey: `${workflowId}/started`,
      employeeId,
      action: 'leaver.started',
      system: null,
      occurredAt: at(0),
      outcome: 'success',
      context: {
        workflowId,
        hrEventId: `ev${i}`,
        terminationEffectiveAt: at(0),
        hrEventReceivedAt: at(0),
        slaSeconds: 60,
        fullRevokeSlaSeconds: 900,
        systems: [...systems],
        timeZone: 'UTC',
        immediate: false,
      },
    },
  ];
  for (const [n, system] of systems.entries()) {
    const kill = killedMs - n * 1_000;
    rows.push({ stepKey: `${workflowId}/${system}/kill`, employeeId, action: 'sessions.kill', system, occurredAt: at(kill), outcome: 'success', context: ctx });
    rows.push({ stepKey: `${workflowId}/${system}/disable`, employeeId, action: 'account.disable', system, occurredAt: at(kill + 400), outcome: 'success', context: ctx });
    rows.push({ stepKey: `${workflowId}/${system}/revoke`, employeeId, action: 'entitlements.revoke_all', system, occurredAt: at(revokedMs - n * 1_000), outcome: 'success', context: ctx });
  }
  const endedBy = Object.fromEntries(systems.map((s, n) => [s, { outcome: 'killed', at: at(killedMs - n * 1_000) }]));
  rows.push({
    stepKey: `${workflowId}/sessions_killed`,
    employeeId,
    action: 'leaver.sessions_killed',
    system: null,
    occurredAt: at(killedMs),
    outcome: 'success',
    context: { ...ctx, systems: endedBy, sessionsKilledAt: at(killedMs), slaBreached: killedMs > 60_000 },
  });
  rows.push({
    stepKey: `${workflowId}/completed`,
    employeeId,
    action: 'leaver.completed',
    system: null,
    occurredAt: at(revokedMs),
    outcome: 'success',
    context: { ...ctx, systems: Object.fromEntries(systems.map((s) => [s, { sessions: 'killed', disabled: 'success', entitlements: 'success' }])) },
  });
  return rows;
}

export const eventsPerLeaver = leaverRun(0, 1).length;

/** Seeds the year; returns the rows written. */
export async function seedReportWorld(db: Database, leavers: number, log: (line: string) => void): Promise<number> {
  let seq = 0;
  let prevHash = genesisHash;
  const batchLeavers = 2_000;
  // The evidence is recorded in 2025 (and a leaver of late December into January): its months' partitions.
  await db.query('SELECT evidence_events_add_partitions($1::timestamptz, 14)', [new Date(yearStart).toISOString()]);
  for (let first = 0; first < leavers; first += batchLeavers) {
    const cols: unknown[][] = Array.from({ length: 10 }, () => []);
    for (let i = first; i < Math.min(leavers, first + batchLeavers); i++) {
      for (const row of leaverRun(i, leavers)) {
        seq += 1;
        const record = {
          stepKey: row.stepKey,
          employeeId: row.employeeId,
          hrSource: 'bamboohr',
          actorType: 'engine' as const,
          actorId: 'leaver',
          action: row.action,
          ...(row.system ? { system: row.system } : {}),
          occurredAt: row.occurredAt,
          recordedAt: row.occurredAt,
          outcome: row.outcome,
          context: row.context,
        };
        const hash = chainHash(prevHash, record);
        const values = [seq, row.stepKey, row.employeeId, row.action, row.system, row.occurredAt, row.outcome, JSON.stringify(row.context), prevHash, hash];
        values.forEach((v, c) => cols[c]!.push(v));
        prevHash = hash;
      }
    }
    await db.query(
      `INSERT INTO evidence_events (seq, step_key, employee_id, hr_source, actor_type, actor_id, action, system,
         occurred_at, recorded_at, outcome, context, prev_hash, hash)
       SELECT s, k, e, 'bamboohr', 'engine', 'leaver', a, sy, o, o, oc, c::jsonb, p, h
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS t(s, k, e, a, sy, o, oc, c, p, h)`,
      cols,
    );
    if ((first / batchLeavers) % 10 === 0) log(`seeded ${Math.min(leavers, first + batchLeavers)} of ${leavers} leavers`);
  }
  await db.query('ANALYZE evidence_events');
  return seq;
}
