import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../src/db/database';
import type { HrEvent, LifecycleKind } from '../../src/hris/hr-event';

/** An HR event as the intake stores it (BambooHR's source), for a worker with this work email. */
export function hrEvent(employeeId: string, kind: LifecycleKind, workEmail: string | undefined, extra: Partial<HrEvent> = {}): HrEvent {
  return {
    eventId: `bamboohr:test-${randomBytes(6).toString('hex')}`,
    source: 'bamboohr',
    employeeId,
    kind,
    immediate: false,
    receivedAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    changedFields: [],
    worker: workEmail ? { workEmail } : {},
    via: 'webhook',
    ...extra,
  };
}

/**
 * HR history the engine has already taken in: rows of the inbox, in the order given, marked
 * dispatched so no dispatcher hands them to a workflow (nothing acts on the peers' accounts).
 */
export async function storeHrHistory(db: Queryable, events: readonly HrEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const chunk = events.slice(i, i + 1000);
    const col = <T>(pick: (e: HrEvent) => T) => chunk.map(pick);
    await db.query(
      `INSERT INTO hr_inbox (event_id, source, employee_id, kind, payload, received_at, status, dispatched_at)
       SELECT event_id, source, employee_id, kind, payload::jsonb, received_at, 'dispatched', now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) WITH ORDINALITY
              AS t(event_id, source, employee_id, kind, payload, received_at, position)
        ORDER BY position`,
      [col((e) => e.eventId), col((e) => e.source), col((e) => e.employeeId), col((e) => e.kind), col((e) => JSON.stringify(e)), col((e) => e.receivedAt)],
    );
  }
}
