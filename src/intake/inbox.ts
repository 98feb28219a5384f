import type { Database, Queryable } from '../db/database';
import type { HrEvent, HrSource, LifecycleKind } from '../hris/hr-event';

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
}

const columns = `id::text AS id, event_id, source, employee_id, kind, payload, delivery_id, received_at, status,
  attempts, last_error, workflow_ids, dispatched_at`;

/** Errors longer than this are cut; the row is a retry aid, not a log. */
const maxErrorLength = 2000;

/**
 * The durable, deduplicated inbox of HR events (table hr_inbox). An event is stored before the
 * HRIS is answered; its event ID is the dedupe key, so a redelivery finds the first copy.
 */
export class Inbox {
  constructor(private readonly db: Database) {}

  /** Stores a delivery's events in one transaction; existing event IDs are reported as duplicates. */
  async record(events: readonly HrEvent[], options: { deliveryId?: string } = {}): Promise<RecordResult[]> {
    if (events.length === 0) return [];
    return this.db.transaction(async (tx) => {
      const results: RecordResult[] = [];
      for (const event of events) {
        const inserted = await tx.query<{ status: string }>(
          `INSERT INTO hr_inbox (event_id, source, employee_id, kind, payload, delivery_id, received_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::timestamptz)
           ON CONFLICT (event_id) DO NOTHING
           RETURNING status`,
          [event.eventId, event.source, event.employeeId, event.kind, JSON.stringify(event), options.deliveryId ?? null, event.receivedAt],
        );
        if (inserted.rows.length > 0) {
          results.push({ event, duplicate: false, status: 'received', workflowIds: [] });
          continue;
        }
        const existing = await selectOne(tx, event.eventId);
        if (!existing) throw new Error(`hr_inbox: ${event.eventId} conflicted but cannot be read`);
        results.push({ event: existing.event, duplicate: true, status: existing.status, workflowIds: existing.workflowIds });
      }
      return results;
    });
  }

  async markDispatched(eventId: string, workflowIds: readonly string[]): Promise<void> {
    await this.db.query(
      `UPDATE hr_inbox SET status = 'dispatched', workflow_ids = $2::text[], dispatched_at = now(),
         attempts = attempts + 1, last_error = NULL, updated_at = now()
       WHERE event_id = $1`,
      [eventId, [...workflowIds]],
    );
  }

  /** Records a failed hand-off; a row already dispatched (e.g. by a drainer meanwhile) stays so. */
  async markFailed(eventId: string, error: unknown): Promise<void> {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.db.query(
      `UPDATE hr_inbox SET status = 'failed', attempts = attempts + 1, last_error = $2, updated_at = now()
       WHERE event_id = $1 AND status <> 'dispatched'`,
      [eventId, text.slice(0, maxErrorLength)],
    );
  }

  /** Events not yet handed off (received or failed), oldest first, for a background drainer. */
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

  /** The rows among these event IDs that are already stored, by event ID. */
  async find(eventIds: readonly string[]): Promise<Map<string, InboxRow>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.db.query<Row>(`SELECT ${columns} FROM hr_inbox WHERE event_id = ANY($1::text[])`, [[...eventIds]]);
    return new Map(rows.map((row) => [row.event_id, toInboxRow(row)]));
  }
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
  };
}
