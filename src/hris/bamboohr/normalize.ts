import type { HrEvent, LifecycleKind, WorkerAttribute, WorkerAttributes } from '../hr-event';
import { digestOf } from '../digest';
import { bambooApiFieldNames, foldFieldName, hrFieldsInPayload, hrFieldsInRecord, workerHrFields, type BambooHrFields, type HrFieldValues } from './hr-fields';
import type { BambooFieldValues, BambooPayload } from './payload';

/**
 * BambooHR payload (+ the employee record fetched when the payload is thin) -> HrEvent.
 * Pure: the receipt time is passed in and "today" is derived from it.
 *
 * Kind rules, applied to the worker's state after the change (S status, H hireDate,
 * T terminationDate, E employmentHistoryStatus) and the set C of changed fields:
 *  - deleted record                                   -> rescind (the record, and any hire, undone)
 *  - created record                                   -> hire on H; ignored if created already leaving
 *  - "leaving" = S Inactive, or E says Terminated, or T is set and not before H
 *    (BambooHR keeps S Active until a future-dated T arrives, so a pending termination counts)
 *  - C touches status/hireDate/terminationDate/employmentHistoryStatus/employmentStatusDate and:
 *      leaving, S Inactive, no T, H still in the future -> rescind (hire called off before day one)
 *      leaving                                        -> terminate on T (else the employment status
 *                                                        date); immediate when the termination type
 *                                                        says Involuntary, or when S is Inactive with
 *                                                        no date at all (nothing to wait for)
 *      C has status/hireDate, T set and H after T     -> rehire on H
 *      C has terminationDate (not hireDate), T empty  -> rescind (termination undone)
 *      C has status/hireDate, H set                   -> hire on H
 *  - otherwise C touches department, division, jobTitle, location, employmentHistoryStatus,
 *    supervisor, workEmail, names or timeZone         -> change (effective on the job info date)
 *  - anything else (home phone, pay rate, ...)        -> no event
 *
 * Extra HR fields declared in identity.hrFields (./hr-fields.ts) ride along in worker.hrFields,
 * from the payload or else the record; changing one alone is no event. A change whose payload
 * lacks one is completed from the API like a thin one (only when some are declared).
 */

// ---- Field names -------------------------------------------------------------------------

/*
 * BambooHR names one field several ways: API names (jobTitle) in event-based payloads and the
 * API, English labels (Job Title) in field-based payloads, and admin-chosen aliases. All fold to
 * the API name, matched case- and punctuation-insensitively.
 */
const fieldNames = [
  'firstName', 'lastName', 'workEmail', 'department', 'division', 'jobTitle', 'location',
  'employmentHistoryStatus', 'status', 'hireDate', 'terminationDate', 'supervisorEId', 'supervisor',
  'terminationType', 'jobInformationDate', 'employmentStatusDate', 'timeZone',
] as const;
export type BambooField = (typeof fieldNames)[number];
export type BambooFields = Partial<Record<BambooField, string | null>>;

const fold = foldFieldName;
const byFoldedName: Record<string, BambooField> = {
  ...Object.fromEntries(fieldNames.map((f) => [fold(f), f])),
  employmentstatus: 'employmentHistoryStatus', // label "Employment Status"
  reportingto: 'supervisor', // label "Reporting to": a name, so it only signals a change
  supervisorid: 'supervisor', // the supervisor's employee number, not their employee ID
  terminationtypeid: 'terminationType',
};

export function bambooFieldName(name: string): BambooField | undefined {
  return byFoldedName[fold(name)];
}

/** Values keyed by our field names; fields we do not use are dropped; the first spelling wins. */
export function bambooFields(values: BambooFieldValues): BambooFields {
  const out: BambooFields = {};
  for (const [name, value] of Object.entries(values)) {
    const field = bambooFieldName(name);
    if (field && !(field in out)) out[field] = value;
  }
  return out;
}

/** What GET /v1/employees/{id} is asked for when a payload is thin. */
export const employeeRecordFields = [
  'firstName', 'lastName', 'workEmail', 'department', 'division', 'jobTitle', 'location',
  'employmentHistoryStatus', 'supervisorEId', 'hireDate', 'terminationDate', 'status',
] as const;

/** What GET /v1/employees/{id} is asked for with declared HR fields: the record's fields and theirs. */
export function employeeRecordFieldsWith(declared: BambooHrFields): readonly string[] {
  return declared.length > 0 ? [...new Set([...employeeRecordFields, ...bambooApiFieldNames(declared)])] : employeeRecordFields;
}

const lifecycleFields: readonly BambooField[] = ['status', 'hireDate', 'terminationDate', 'employmentHistoryStatus', 'employmentStatusDate'];
const attributeFields: readonly BambooField[] = [
  'department', 'division', 'jobTitle', 'location', 'employmentHistoryStatus', 'supervisorEId', 'supervisor',
  'workEmail', 'firstName', 'lastName', 'timeZone',
];

// ---- Changes -----------------------------------------------------------------------------

export type BambooAction = 'created' | 'updated' | 'deleted';

/** One employee change in a delivery, whichever payload kind carried it. */
export interface BambooChange {
  /** bamboohr:<employeeId>:<first 24 hex of sha256 over the canonical entry>. */
  eventId: string;
  employeeId: string;
  format: BambooPayload['format'];
  action: BambooAction;
  /** Changed field names as sent. */
  changedFields: string[];
  /** Values the payload itself carried (event-based payloads carry none). */
  fields: BambooFields;
  /** Declared HR fields the payload carried, by their name in identity.hrFields (see ./hr-fields.ts). */
  hrFields?: HrFieldValues;
  timestamp?: string;
}

/** The changes of a payload; `declared` are the HR fields of identity.hrFields BambooHR keeps. */
export function bambooChanges(payload: BambooPayload, declared: BambooHrFields = []): BambooChange[] {
  if (payload.format === 'event') {
    const { type, timestamp, data } = payload.body;
    const action = type.slice('employee.'.length) as BambooAction;
    const { employeeId, changedFields } = data;
    const canonical = { format: 'event', type, timestamp, companyId: data.companyId ?? null, employeeId, changedFields };
    return [{ eventId: eventIdOf(employeeId, canonical), employeeId, format: 'event', action, changedFields, fields: {}, timestamp }];
  }
  return payload.body.employees.map((entry) => {
    const canonical = { format: 'field', ...entry, timestamp: entry.timestamp ?? null };
    return {
      eventId: eventIdOf(entry.id, canonical),
      employeeId: entry.id,
      format: 'field',
      action: entry.action.toLowerCase() as BambooAction,
      changedFields: entry.changedFields,
      fields: bambooFields(entry.fields),
      ...(declared.length > 0 ? { hrFields: hrFieldsInPayload(entry.fields, declared) } : {}),
      ...(entry.timestamp ? { timestamp: entry.timestamp } : {}),
    };
  });
}

/**
 * Same entry, same ID (a retried delivery dedupes); any difference in action, fields, values
 * or the entry's own timestamp gives a new one. Entries without a timestamp that repeat the
 * very same change therefore share an ID: BambooHR documents the timestamp as present.
 */
function eventIdOf(employeeId: string, canonical: unknown): string {
  const digest = digestOf(canonical, 24);
  return `bamboohr:${employeeId}:${digest}`;
}


const changedSet = (change: BambooChange): Set<BambooField> =>
  new Set(change.changedFields.map(bambooFieldName).filter((f): f is BambooField => f !== undefined));

/** Whether the change can lead to an event at all (so whether it is worth completing). */
export function isRelevant(change: BambooChange): boolean {
  if (change.action !== 'updated') return true;
  const changed = changedSet(change);
  return [...lifecycleFields, ...attributeFields].some((f) => changed.has(f));
}

/**
 * Fields the decision needs that the payload did not carry, and the declared HR fields it did
 * not carry (as configured); empty means no API call is needed.
 */
export function missingFields(change: BambooChange, declared: BambooHrFields = []): string[] {
  if (change.action === 'deleted' || !isRelevant(change)) return [];
  const changed = changedSet(change);
  const needed = new Set<BambooField>(['workEmail']);
  for (const f of attributeFields) if (changed.has(f)) needed.add(f);
  if (change.action === 'created' || lifecycleFields.some((f) => changed.has(f))) {
    for (const f of ['status', 'hireDate', 'terminationDate'] as const) needed.add(f);
  }
  // "Reporting to" carries a name and the API has no time zone; the ID comes from supervisorEId.
  if (needed.delete('supervisor')) needed.add('supervisorEId');
  needed.delete('timeZone');
  const carried = change.hrFields ?? {};
  const hrFields = declared.filter((d) => !(d.name in carried)).map((d) => d.field);
  return [...[...needed].filter((f) => !(f in change.fields)), ...hrFields];
}

export const needsEmployeeRecord = (change: BambooChange, declared: BambooHrFields = []): boolean => missingFields(change, declared).length > 0;

// ---- Kind --------------------------------------------------------------------------------

export interface KindDecision {
  kind: LifecycleKind;
  effectiveDate?: string;
  immediate: boolean;
}

/** Applies the rules at the top of this file; undefined means "nothing the engine acts on". */
export function decideKind(
  action: BambooAction,
  changed: ReadonlySet<BambooField>,
  f: BambooFields,
  today: string,
): KindDecision | undefined {
  const status = f.status?.trim().toLowerCase();
  const hire = bambooDate(f.hireDate);
  const termination = bambooDate(f.terminationDate);
  const inactive = status === 'inactive';
  const terminationOnRecord = termination !== undefined && (hire === undefined || termination >= hire);
  const leaving = inactive || /terminat/i.test(f.employmentHistoryStatus ?? '') || terminationOnRecord;
  const at = (effectiveDate: string | undefined) => (effectiveDate ? { effectiveDate } : {});

  if (action === 'deleted') return { kind: 'rescind', immediate: false };
  if (action === 'created') return leaving ? undefined : { kind: 'hire', ...at(hire), immediate: false };

  const activation = changed.has('status') || changed.has('hireDate');
  if (lifecycleFields.some((x) => changed.has(x))) {
    if (leaving) {
      if (inactive && !termination && hire && hire > today) return { kind: 'rescind', ...at(hire), immediate: false };
      const effective = termination ?? bambooDate(f.employmentStatusDate);
      const involuntary = /(^|[^a-z])involuntary/i.test(f.terminationType ?? '');
      return { kind: 'terminate', ...at(effective), immediate: involuntary || (inactive && !effective) };
    }
    if (activation && termination && hire && hire > termination) return { kind: 'rehire', ...at(hire), immediate: false };
    // A cleared termination date with a new hire date is a (re)hire, not an undo.
    if (changed.has('terminationDate') && !termination && !changed.has('hireDate')) return { kind: 'rescind', immediate: false };
    if (activation && hire) return { kind: 'hire', ...at(hire), immediate: false };
  }
  if (attributeFields.some((x) => changed.has(x))) return { kind: 'change', ...at(bambooDate(f.jobInformationDate)), immediate: false };
  return undefined;
}

/** A BambooHR date (YYYY-MM-DD; "0000-00-00" means none) or undefined. */
export function bambooDate(value: string | null | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value?.trim() ?? '');
  if (!match || match[1] === '0000') return undefined;
  const date = `${match[1]}-${match[2]}-${match[3]}`;
  return Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? undefined : date;
}

// ---- HrEvent -----------------------------------------------------------------------------

export interface NormalizeContext {
  /** When the engine received the delivery (ISO-8601 UTC). */
  receivedAt: string;
  sourceIp?: string;
  via: HrEvent['via'];
  /** The HR fields of identity.hrFields BambooHR keeps (./hr-fields.ts); none when absent. */
  hrFields?: BambooHrFields;
}

/**
 * One change -> one HrEvent, or undefined when it is nothing the engine acts on. `record` is
 * the employee as the API returns it; the payload's own values win over it where both exist,
 * since they describe this very change.
 */
export function normalizeBambooChange(
  change: BambooChange,
  context: NormalizeContext,
  record?: BambooFieldValues,
): HrEvent | undefined {
  if (!isRelevant(change)) return undefined;
  const merged: BambooFields = { ...(record ? bambooFields(record) : {}), ...change.fields };
  const declared = context.hrFields ?? [];
  const hrFields = declared.length > 0 ? workerHrFields({ ...(record ? hrFieldsInRecord(record, declared) : {}), ...change.hrFields }) : undefined;
  const decision = decideKind(change.action, changedSet(change), merged, context.receivedAt.slice(0, 10));
  if (!decision) return undefined;
  const occurredAt = change.timestamp ? isoTime(change.timestamp) : undefined;
  const changedFields = [...new Set(change.changedFields.map((name) => bambooFieldName(name) ?? name))];
  return {
    eventId: change.eventId,
    source: 'bamboohr',
    employeeId: change.employeeId,
    kind: decision.kind,
    ...(decision.effectiveDate ? { effectiveDate: decision.effectiveDate } : {}),
    immediate: decision.immediate,
    receivedAt: context.receivedAt,
    ...(occurredAt ? { occurredAt } : {}),
    changedFields,
    worker: { ...bambooWorker(merged), ...(hrFields ? { hrFields } : {}) },
    via: context.via,
    ...(context.sourceIp ? { sourceIp: context.sourceIp } : {}),
  };
}

/** Every change of a payload; `records` holds fetched employees by ID for the thin ones. */
export function normalizeBambooPayload(
  payload: BambooPayload,
  context: NormalizeContext,
  records: ReadonlyMap<string, BambooFieldValues> = new Map(),
): { events: HrEvent[]; ignored: BambooChange[] } {
  const events: HrEvent[] = [];
  const ignored: BambooChange[] = [];
  for (const change of bambooChanges(payload, context.hrFields)) {
    const event = normalizeBambooChange(change, context, records.get(change.employeeId));
    if (event) events.push(event);
    else ignored.push(change);
  }
  return { events, ignored };
}

/** Where each worker attribute comes from in a BambooHR record (our field names). */
export const bambooWorkerFields = {
  workEmail: 'workEmail',
  firstName: 'firstName',
  lastName: 'lastName',
  department: 'department',
  division: 'division',
  jobTitle: 'jobTitle',
  location: 'location',
  employmentType: 'employmentHistoryStatus',
  managerId: 'supervisorEId',
  timeZone: 'timeZone',
  status: 'status',
} as const satisfies Record<WorkerAttribute, BambooField>;

/** The worker attributes a record reports: trimmed, blanks left out. */
export function bambooWorker(f: BambooFields): WorkerAttributes {
  const worker: WorkerAttributes = {};
  for (const [key, field] of Object.entries(bambooWorkerFields) as [WorkerAttribute, BambooField][]) {
    const text = f[field]?.trim();
    if (text) worker[key] = text;
  }
  return worker;
}

/** A BambooHR timestamp as ISO-8601 UTC (it writes offsets as +0000 or +00:00); undefined if unparseable. */
export function isoTime(text: string): string | undefined {
  const normalised = text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
