/**
 * HR's view of every worker the engine has heard of, loaded in bulk once per reconciliation from
 * the inbox of HR events (every webhook and poll lands there first), keyed by work email and by
 * every extra HR field (identity.hrFields) for systems that match accounts by one. Only the fields
 * the status needs are read, page by page in the inbox's own order.
 */
import type { Queryable } from '../db/database';
import type { LifecycleKind, WorkerAttributes } from '../hris/hr-event';
import { applyHrEvent, normalEmail, type TimingDefaults, type WorkerHr } from './hr-status';

export interface HrView {
  /** The worker whose work email this is (the latest to report it), if HR ever named one. */
  ownerOf(email: string): WorkerHr | undefined;
  /** The worker whose HR field `field` holds this value (the latest to report it), matched lower-cased. */
  ownerBy(field: string, value: string): WorkerHr | undefined;
  readonly workers: number;
  readonly emails: number;
  /** Every worker, with their latest attributes when loaded with `attributes`. */
  all(): Iterable<WorkerHr>;
}

interface Row {
  id: string;
  source: string;
  employee_id: string;
  kind: string;
  received_at: Date | string;
  effective_date: string | null;
  immediate: string | null;
  time_zone: string | null;
  work_email: string | null;
  hr_fields: Record<string, unknown> | string | null;
  worker: WorkerAttributes | string | null;
}

const fieldKey = (field: string, value: string) => `${field}\u0000${normalEmail(value)}`;

function hrFieldsOf(raw: Row['hr_fields']): [string, string][] {
  const fields = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (!fields || typeof fields !== 'object') return [];
  return Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '');
}

/** `attributes`: keep each worker's latest attributes as HR sent them (access reviews need managers, departments, the policy's fields). */
export async function loadHrView(db: Queryable, timing: TimingDefaults, pageSize = 5000, options: { attributes?: boolean } = {}): Promise<HrView> {
  const workers = new Map<string, WorkerHr>();
  const owners = new Map<string, WorkerHr>();
  const byField = new Map<string, WorkerHr>();
  let after = '0';
  for (;;) {
    const { rows } = await db.query<Row>(
      `SELECT h.id::text AS id, source, employee_id, kind, received_at,
              payload->>'effectiveDate' AS effective_date, payload->>'immediate' AS immediate,
              payload->'worker'->>'timeZone' AS time_zone, payload->'worker'->>'workEmail' AS work_email,
              payload->'worker'->'hrFields' AS hr_fields, CASE WHEN $3::boolean THEN payload->'worker' END AS worker
         FROM hr_inbox h WHERE h.id > $1::bigint ORDER BY h.id LIMIT $2`,
      [after, pageSize, options.attributes === true],
    );
    for (const row of rows) {
      const key = `${row.source}\u0000${row.employee_id}`;
      let worker = workers.get(key);
      if (!worker) {
        worker = { source: row.source, employeeId: row.employee_id, employment: 'none' };
        workers.set(key, worker);
      }
      applyHrEvent(
        worker,
        {
          source: row.source,
          employeeId: row.employee_id,
          kind: row.kind as LifecycleKind,
          receivedAt: (row.received_at instanceof Date ? row.received_at : new Date(row.received_at)).toISOString(),
          immediate: row.immediate === 'true',
          ...(row.effective_date ? { effectiveDate: row.effective_date } : {}),
          ...(row.time_zone ? { timeZone: row.time_zone } : {}),
        },
        timing,
      );
      if (row.worker) worker.attributes = typeof row.worker === 'string' ? (JSON.parse(row.worker) as WorkerAttributes) : row.worker;
      // Every address a worker was ever reported with points at them, the latest report winning.
      const email = row.work_email ? normalEmail(row.work_email) : '';
      if (email) owners.set(email, worker);
      for (const [field, value] of hrFieldsOf(row.hr_fields)) byField.set(fieldKey(field, value), worker);
    }
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) break;
    after = last.id;
  }
  return {
    ownerOf: (email) => owners.get(email),
    ownerBy: (field, value) => byField.get(fieldKey(field, value)),
    workers: workers.size,
    emails: owners.size,
    all: () => workers.values(),
  };
}
