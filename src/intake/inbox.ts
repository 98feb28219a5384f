import type { Database, Queryable } from '../db/database';
import type { HrEvent, HrSource, LifecycleKind } from '../hris/hr-event';
import { activeTraceParent } from '../tracing/context';

export const inboxStatuses = ['received', 'dispatched', 'failed'] as const;
export type InboxStatus = (typeof inboxStatuses)[number];

export interface InboxRow {
  id: string;
  eventId: string;
  source: HrSource;
  employeeId: string;
  kind: LifecycleKind;
  event: HrEvent;
  deliveryId?: string;
  receivedAt: string;
  status: InboxStatus;
  attempts: number;
  lastError?: string;
  workflowIds: string[];
  dispatchedAt?: string;
  nextAttemptAt: string;
  /** The trace of the delivery that stored it (tracing on), continued at hand-over. */
  traceParent?: string;
}

export interface RecordResult {
  /** The stored event: for a duplicate, the first copy received (the one the drainer would use). */
  event: HrEvent;
  duplicate: boolean;
  status: InboxStatus;
  workflowIds: string[];
}

interface Row {
  id: string;
  event_id: string;
  source: string;
  employee_id: string;
  kind: string;
  payload: unknown;
  delivery_id: string | null;
  received_at: Date | string;
  status: string;
  attempts: number;
  last_error: string | null;
  workflow_ids: string[] | null;
  dispatched_at: Date | string | null;
  next_attempt_at: Date | string;
  trace_parent: string | null;
}

const columns = `id::text AS id, event_id, source, employee_id, kind, payload, delivery_id, received_at, status,
  attempts, last_error, workflow_ids, dispatched_at, next_attempt_at, trace_parent`;

/** Errors longer than this are cut; the row is a retry aid, not a log. */
const maxErrorLength = 2000;

/**
 * The durable, deduplicated inbox of HR events (table hr_inbox). An event is stored before the
 * HRIS is answered; its event ID is the dedupe key, so a redelivery finds the first copy. A
 * dispatcher (./dispatcher.ts) claims stored events and hands them to Temporal: one worker's
 * events one at a time and oldest first, a failed hand-over again after a backoff.
 */
export class Inbox {
  constructor(private readonly db: Database) {}

  /**
   * Stores a delivery's events, all or none: one INSERT statement, however many events (a field-based
   * delivery may carry a thousand), in the order given; existing event IDs are reported as duplicates.
   */
  async record(events: readonly HrEvent[], options: { deliveryId?: string } = {}): Promise<RecordResult[]> {
    if (events.length === 0) return [];
    // One event (most webhooks): its INSERT, one round trip.
    if (events.length === 1) return [await recordOne(this.db, events[0]!, options)];
    return recordMany(this.db, events, options);
  }

  /**
   * Claims the oldest due event whose worker has no older event waiting, for `leaseMs`: until
   * then no other dispatcher (in this process or another) takes it, nor any later event of the
   * same worker, so each worker's events go over in the order they were stored. undefined: none due.
   */
  async claim(claimant: string, leaseMs: number): Promise<InboxRow | undefined> {
    const { rows } = await this.db.query<Row>(
      `WITH next AS (
         SELECT h.id AS claim_id FROM hr_inbox h
         WHERE h.status <> 'dispatched' AND h.next_attempt_at <= now()
           AND (h.claimed_until IS NULL OR h.claimed_until < now())
           AND NOT EXISTS (SELECT 1 FROM hr_inbox older WHERE older.source = h.source AND older.employee_id = h.employee_id
                           AND older.status <> 'dispatched' AND older.id < h.id)
         ORDER BY h.id
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE hr_inbox SET claimed_until = now() + make_interval(secs => $1::double precision / 1000), claimed_by = $2, updated_at = now()
       FROM next WHERE hr_inbox.id = next.claim_id
       RETURNING ${columns}`,
      [leaseMs, claimant],
    );
    return rows[0] ? toInboxRow(rows[0]) : undefined;
  }

  async markDispatched(eventId: string, workflowIds: readonly string[]): Promise<void> {
    await this.db.query(
      `UPDATE hr_inbox SET status = 'dispatched', workflow_ids = $2::text[], dispatched_at = now(),
         attempts = attempts + 1, last_error = NULL, claimed_until = NULL, claimed_by = NULL, updated_at = now()
       WHERE event_id = $1`,
      [eventId, [...workflowIds]],
    );
  }

  /**
   * Records a failed hand-off, to be tried again in `retryInMs`; a row already dispatched (by
   * another dispatcher meanwhile) stays so. The error is the hand-over's (Temporal's), not HR data.
   */
  async markFailed(eventId: string, error: unknown, retryInMs = 0): Promise<void> {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.db.query(
      `UPDATE hr_inbox SET status = 'failed', attempts = attempts + 1, last_error = $2,
         next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), claimed_until = NULL, claimed_by = NULL, updated_at = now()
       WHERE event_id = $1 AND status <> 'dispatched'`,
      [eventId, text.slice(0, maxErrorLength), Math.max(0, retryInMs)],
    );
  }

  /** Makes every failed event due now (Temporal answers again: no reason to wait out the backoffs). */
  async retryFailedNow(): Promise<number> {
    const { rows } = await this.db.query(
      `UPDATE hr_inbox SET next_attempt_at = now(), updated_at = now() WHERE status = 'failed' AND next_attempt_at > now() RETURNING id`,
    );
    return rows.length;
  }

  /** How many events wait to be handed over. */
  async countPending(): Promise<number> {
    const { rows } = await this.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM hr_inbox WHERE status <> 'dispatched'`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Events not yet handed off (received or failed), oldest first. */
  async pending(limit = 100): Promise<InboxRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM hr_inbox WHERE status IN ('received', 'failed') ORDER BY received_at, id LIMIT $1`,
      [limit],
    );
    return rows.map(toInboxRow);
  }

  async get(eventId: string): Promise<InboxRow | undefined> {
    return selectOne(this.db, eventId);
  }

  /**
   * The worker's stored events up to and including the row with this ID, the most recent
   * `limit` (where a workflow's merged attributes of the worker may have come from).
   */
  async historyOf(source: HrSource, employeeId: string, upToId: string, limit = 1000): Promise<HrEvent[]> {
    const { rows } = await this.db.query<Pick<Row, 'payload'>>(
      `SELECT payload FROM (SELECT id, payload FROM hr_inbox WHERE source = $1 AND employee_id = $2 AND id <= $3::bigint ORDER BY id DESC LIMIT $4) recent ORDER BY id`,
      [source, employeeId, upToId, limit],
    );
    return rows.map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as HrEvent);
  }

  /** The rows among these event IDs that are already stored, by event ID. */
  async find(eventIds: readonly string[]): Promise<Map<string, InboxRow>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.db.query<Row>(`SELECT ${columns} FROM hr_inbox WHERE event_id = ANY($1::text[])`, [[...eventIds]]);
    return new Map(rows.map((row) => [row.event_id, toInboxRow(row)]));
  }
}

async function recordOne(db: Queryable, event: HrEvent, options: { deliveryId?: string }): Promise<RecordResult> {
  const inserted = await db.query<{ status: string }>(
    `INSERT INTO hr_inbox (event_id, source, employee_id, kind, payload, delivery_id, received_at, trace_parent)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::timestamptz, $8)
     ON CONFLICT (event_id) DO NOTHING
     RETURNING status`,
    [event.eventId, event.source, event.employeeId, event.kind, JSON.stringify(event), options.deliveryId ?? null, event.receivedAt, activeTraceParent() ?? null],
  );
  if (inserted.rows.length > 0) return { event, duplicate: false, status: 'received', workflowIds: [] };
  const existing = await selectOne(db, event.eventId);
  if (!existing) throw new Error(`hr_inbox: ${event.eventId} conflicted but cannot be read`);
  // The HRIS sent it again before it was handed over: no reason to wait out the backoff.
  if (existing.status !== 'dispatched') await db.query(`UPDATE hr_inbox SET next_attempt_at = now() WHERE event_id = $1 AND status <> 'dispatched'`, [event.eventId]);
  return { event: existing.event, duplicate: true, status: existing.status, workflowIds: existing.workflowIds };
}

/** Many events in one statement (atomic on its own); the rows of those already stored are read afterwards. */
async function recordMany(db: Queryable, events: readonly HrEvent[], options: { deliveryId?: string }): Promise<RecordResult[]> {
  const column = <T>(pick: (e: HrEvent) => T) => events.map(pick);
  const inserted = await db.query<{ event_id: string }>(
    `INSERT INTO hr_inbox (event_id, source, employee_id, kind, payload, delivery_id, received_at, trace_parent)
     SELECT event_id, source, employee_id, kind, payload::jsonb, $7, received_at, $8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       WITH ORDINALITY AS given(event_id, source, employee_id, kind, payload, received_at, position)
     ORDER BY position
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [
      column((e) => e.eventId),
      column((e) => e.source),
      column((e) => e.employeeId),
      column((e) => e.kind),
      column((e) => JSON.stringify(e)),
      column((e) => e.receivedAt),
      options.deliveryId ?? null,
      activeTraceParent() ?? null,
    ],
  );
  const fresh = new Set(inserted.rows.map((r) => r.event_id));
  // An event ID given twice is stored once: the second is a duplicate of the first.
  const firstAt = new Map<string, number>();
  events.forEach((e, i) => (firstAt.has(e.eventId) ? undefined : firstAt.set(e.eventId, i)));
  const storedBefore = events.filter((e, i) => !fresh.has(e.eventId) && firstAt.get(e.eventId) === i).map((e) => e.eventId);
  const existing = new Map<string, InboxRow>();
  if (storedBefore.length > 0) {
    const { rows } = await db.query<Row>(`SELECT ${columns} FROM hr_inbox WHERE event_id = ANY($1::text[])`, [storedBefore]);
    for (const row of rows) existing.set(row.event_id, toInboxRow(row));
    const waiting = [...existing.values()].filter((r) => r.status !== 'dispatched').map((r) => r.eventId);
    // The HRIS sent them again before they were handed over: no reason to wait out the backoff.
    if (waiting.length > 0) await db.query(`UPDATE hr_inbox SET next_attempt_at = now() WHERE event_id = ANY($1::text[]) AND status <> 'dispatched'`, [waiting]);
  }
  return events.map((event, i) => {
    if (fresh.has(event.eventId) && firstAt.get(event.eventId) === i) return { event, duplicate: false, status: 'received' as const, workflowIds: [] };
    const row = existing.get(event.eventId);
    if (row) return { event: row.event, duplicate: true, status: row.status, workflowIds: row.workflowIds };
    if (fresh.has(event.eventId)) return { event: events[firstAt.get(event.eventId)!]!, duplicate: true, status: 'received' as const, workflowIds: [] };
    throw new Error(`hr_inbox: ${event.eventId} conflicted but cannot be read`);
  });
}

async function selectOne(db: Queryable, eventId: string): Promise<InboxRow | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${columns} FROM hr_inbox WHERE event_id = $1`, [eventId]);
  return rows[0] ? toInboxRow(rows[0]) : undefined;
}

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

function toInboxRow(row: Row): InboxRow {
  // payload was written by record() from a validated HrEvent; jsonb may come back as text.
  const event = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as HrEvent;
  return {
    id: row.id,
    eventId: row.event_id,
    source: row.source as HrSource,
    employeeId: row.employee_id,
    kind: row.kind as LifecycleKind,
    event,
    ...(row.delivery_id ? { deliveryId: row.delivery_id } : {}),
    receivedAt: iso(row.received_at),
    status: row.status as InboxStatus,
    attempts: row.attempts,
    ...(row.last_error ? { lastError: row.last_error } : {}),
    workflowIds: row.workflow_ids ?? [],
    ...(row.dispatched_at ? { dispatchedAt: iso(row.dispatched_at) } : {}),
    nextAttemptAt: iso(row.next_attempt_at),
    ...(row.trace_parent ? { traceParent: row.trace_parent } : {}),
  };
}
