import type { HrFieldsConfig } from '../../config/file';
import type { HrEvent, LifecycleKind, WorkerAttribute, WorkerAttributes } from '../hr-event';
import { digestOf } from '../digest';
import type { WorkdayTransaction, WorkdayWorker } from './worker';

/**
 * A Workday transaction (a business process on a worker) + the worker as Get_Workers returns it
 * -> HrEvent. Pure.
 *
 * Kind: the business process type is looked up, case-insensitively and trimmed, in the tenant's
 * map (hris.workday.businessProcesses; defaults below), lists checked in the order rescind,
 * terminate, rehire, hire, change. Then:
 *  - not in the map                           -> undefined (ignored: benefits, compensation, ...)
 *  - rescinded (Is_Rescind_Or_Rescinded) hire,
 *    rehire or termination                    -> rescind (the engine decides, from its own state,
 *                                                whether that undoes a hire or cancels a leaver)
 *  - rescinded change                         -> change (the worker's data is back as it was; the
 *                                                attributes read now say how)
 *  - hire on a worker Workday flags Rehire    -> rehire (Workday rehires through the hire process)
 *  - corrected (Is_Correction_Or_Corrected)   -> the process's own kind, with the worker's corrected
 *                                                data and effective date: the engine re-applies them
 * immediate: a termination Workday marks involuntary (Worker_Status_Data/Termination_Involuntary);
 * otherwise false, and the leaver's timing rules handle dates in the past.
 *
 * Event IDs: workday:<transaction log WID>, whether a webhook or a poll found the transaction, so
 * the inbox takes it once. A rescinded or corrected transaction keeps its WID but is new news, so
 * it gets its own ID: workday:rescinded-<wid>, and workday:corrected-<wid>-<digest of the
 * corrected date and attributes> (a second, different correction is again new). The extra HR
 * fields (worker.hrFields, from the worker's Custom IDs of the types identity.hrFields names) are
 * carried but not part of that digest: a changed GitHub login alone is no new correction.
 */
export interface WorkdayProcessMap {
  hire: string[];
  change: string[];
  terminate: string[];
  rehire: string[];
  rescind: string[];
}

/** Workday's delivered business process type names (Business_Process_Type reference IDs). */
export const defaultWorkdayProcesses: WorkdayProcessMap = {
  hire: ['Hire Employee', 'Contract Contingent Worker'],
  change: [
    'Change Job',
    // Older tenants still run these separately from Change Job.
    'Transfer Employee',
    'Promote Employee',
    'Demote Employee',
    'Change Organization Assignments for Worker',
    'Edit Position',
    'Change Business Title',
    'Change Work Contact Information',
    'Change Legal Name',
    'Change Preferred Name',
  ],
  terminate: ['Terminate Employee', 'End Contingent Worker Contract'],
  // Workday has no separate rehire process: a former worker is hired again (see above).
  rehire: [],
  rescind: [],
};

/** The defaults with the tenant's lists (config hris.workday.businessProcesses) in their place. */
export function workdayProcesses(overrides: Partial<Record<string, readonly string[]>> = {}): WorkdayProcessMap {
  const map: WorkdayProcessMap = { ...defaultWorkdayProcesses };
  for (const kind of Object.keys(map) as (keyof WorkdayProcessMap)[]) {
    const list = overrides[kind];
    if (list) map[kind] = [...list];
  }
  return map;
}

const fold = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** The lifecycle kind a business process type stands for, or undefined. */
export function processKind(businessProcessType: string, kinds: WorkdayProcessMap): keyof WorkdayProcessMap | undefined {
  const wanted = fold(businessProcessType);
  for (const kind of ['rescind', 'terminate', 'rehire', 'hire', 'change'] as const) {
    if (kinds[kind].some((name) => fold(name) === wanted)) return kind;
  }
  return undefined;
}

export interface WorkdayChangeInput {
  worker: WorkdayWorker;
  businessProcessType: string;
  effectiveMoment?: string;
  transactionLogWid: string;
  /** When the transaction was entered (Transaction_Entry_Moment), if known. */
  enteredMoment?: string;
  receivedAt: string;
  via: 'webhook' | 'poll';
  sourceIp?: string;
  kinds: WorkdayProcessMap;
  rescinded?: boolean;
  corrected?: boolean;
  /** The HR fields of identity.hrFields Workday keeps as Custom IDs. */
  hrFields?: WorkdayHrFields;
}

/**
 * One transaction -> one HrEvent, or undefined for a process the engine does not act on.
 * Whatever the caller leaves out (flags, moments) is taken from the worker's own transaction log
 * entry with that WID, so a webhook and a poll of the same transaction give the same event.
 */
export function normalizeWorkdayChange(input: WorkdayChangeInput): HrEvent | undefined {
  const { worker } = input;
  const wid = input.transactionLogWid.trim().toLowerCase();
  const logged: Partial<WorkdayTransaction> = worker.transactions.find((t) => t.wid.toLowerCase() === wid) ?? {};
  const rescinded = input.rescinded ?? logged.rescinded ?? false;
  const corrected = input.corrected ?? logged.corrected ?? false;
  const effectiveMoment = input.effectiveMoment ?? logged.effectiveMoment;
  const enteredMoment = input.enteredMoment ?? logged.enteredMoment;

  const process = processKind(input.businessProcessType, input.kinds);
  if (!process) return undefined;
  let kind: LifecycleKind = process;
  if (rescinded) kind = process === 'change' ? 'change' : 'rescind';
  else if (process === 'hire' && worker.rehire === true) kind = 'rehire';

  const attributes = workerAttributes(worker, input.hrFields);
  const effectiveDate = workdayEffectiveDate(effectiveMoment, worker.timeZone);
  const occurredAt = isoInstant(enteredMoment);
  const eventId = rescinded
    ? `workday:rescinded-${wid}`
    : corrected
      ? `workday:corrected-${wid}-${digest({ kind, effectiveDate: effectiveDate ?? null, attributes: withoutHrFields(attributes) })}`
      : `workday:${wid}`;
  return {
    eventId,
    source: 'workday',
    employeeId: worker.workerId,
    kind,
    ...(effectiveDate ? { effectiveDate } : {}),
    immediate: kind === 'terminate' && worker.terminationInvoluntary === true,
    receivedAt: input.receivedAt,
    ...(occurredAt ? { occurredAt } : {}),
    // Workday says which process ran, not which fields it touched.
    changedFields: [],
    worker: attributes,
    via: input.via,
    ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
  };
}

export interface ChangedWorkerEventOptions {
  receivedAt: string;
  kinds: WorkdayProcessMap;
  via?: HrEvent['via'];
  sourceIp?: string;
  /**
   * The poll's window: only transactions entered in it (inclusive) become events, so a worker's
   * older history, which Workday returns with the changed worker, is not replayed.
   */
  window?: { from: string; through: string };
  hrFields?: WorkdayHrFields;
}

/** One HrEvent per transaction of a polled worker, oldest entry first, for reconciliation. */
export function changedWorkerEvents(worker: WorkdayWorker, options: ChangedWorkerEventOptions): HrEvent[] {
  const from = options.window ? Date.parse(options.window.from) : undefined;
  const through = options.window ? Date.parse(options.window.through) : undefined;
  const entered = (t: WorkdayTransaction) => (t.enteredMoment ? Date.parse(t.enteredMoment) : Number.NaN);
  const inWindow = (t: WorkdayTransaction) => {
    if (from === undefined || through === undefined) return true;
    const at = entered(t);
    return !Number.isNaN(at) && at >= from && at <= through;
  };
  const ordered = worker.transactions.filter(inWindow).sort((a, b) => (entered(a) || 0) - (entered(b) || 0));
  const events = new Map<string, HrEvent>();
  for (const t of ordered) {
    const event = normalizeWorkdayChange({
      worker,
      businessProcessType: t.type,
      ...(t.effectiveMoment ? { effectiveMoment: t.effectiveMoment } : {}),
      ...(t.enteredMoment ? { enteredMoment: t.enteredMoment } : {}),
      transactionLogWid: t.wid,
      receivedAt: options.receivedAt,
      via: options.via ?? 'poll',
      ...(options.sourceIp ? { sourceIp: options.sourceIp } : {}),
      kinds: options.kinds,
      rescinded: t.rescinded,
      corrected: t.corrected,
      ...(options.hrFields ? { hrFields: options.hrFields } : {}),
    });
    if (event && !events.has(event.eventId)) events.set(event.eventId, event);
  }
  return [...events.values()];
}

/**
 * The calendar date a Workday moment takes effect. Workday states a date-effective change as
 * local midnight with the tenant's offset (2026-12-01T00:00:00.000-08:00): that date, as written,
 * is the HR date wherever the worker is, and is never moved through UTC. A moment with a time of
 * day is an instant: its date in the worker's own zone when known, else as written.
 */
export function workdayEffectiveDate(moment: string | undefined, timeZone?: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(moment?.trim() ?? '');
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const written = `${match[1]}-${match[2]}-${match[3]}`;
  const midnight = match[4] === undefined || (match[4] === '00' && match[5] === '00' && (match[6] ?? '00') === '00' && !/[1-9]/.test(match[7] ?? ''));
  if (midnight || !timeZone || !match[8]) return written;
  const instant = Date.parse(moment!.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(instant)) return written;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
    const part = (type: string) => parts.find((p) => p.type === type)?.value;
    return `${part('year')}-${part('month')}-${part('day')}`;
  } catch {
    return written;
  }
}

/** One HR field of identity.hrFields that Workday keeps: its name there and the Custom_ID_Type_ID. */
export interface WorkdayHrField {
  name: string;
  customIdType: string;
}
export type WorkdayHrFields = readonly WorkdayHrField[];

export function workdayHrFields(config: HrFieldsConfig | undefined): WorkdayHrField[] {
  return Object.entries(config ?? {}).flatMap(([name, source]) => (source.workday ? [{ name, customIdType: source.workday }] : []));
}

/**
 * The worker's declared HR fields from their Custom IDs, by name in identity.hrFields: the type
 * as configured, else the same type in another case (Workday IDs are case-sensitive, a config
 * written by hand is not always); blank values left out. undefined when none has a value.
 */
export function workdayWorkerHrFields(customIds: Readonly<Record<string, string>>, declared: WorkdayHrFields): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const { name, customIdType } of declared) {
    const wanted = customIdType.trim();
    const type = wanted in customIds ? wanted : Object.keys(customIds).find((t) => t.toLowerCase() === wanted.toLowerCase());
    const value = type === undefined ? undefined : customIds[type]?.trim();
    if (value) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function withoutHrFields(attributes: WorkerAttributes): WorkerAttributes {
  const { hrFields: _hrFields, ...rest } = attributes;
  return rest;
}

export function workerAttributes(worker: WorkdayWorker, declared: WorkdayHrFields = []): WorkerAttributes {
  const out: WorkerAttributes = {};
  const put = (key: WorkerAttribute, value: string | undefined) => {
    const text = value?.trim();
    if (text) out[key] = text;
  };
  put('workEmail', worker.workEmail);
  put('firstName', worker.firstName);
  put('lastName', worker.lastName);
  put('department', worker.department);
  put('division', worker.division);
  put('jobTitle', worker.jobTitle);
  put('location', worker.location);
  put('employmentType', worker.employmentType);
  put('managerId', worker.managerId);
  put('timeZone', worker.timeZone);
  put('status', worker.active ? 'Active' : 'Inactive');
  const hrFields = declared.length > 0 ? workdayWorkerHrFields(worker.customIds ?? {}, declared) : undefined;
  if (hrFields) out.hrFields = hrFields;
  return out;
}

function isoInstant(moment: string | undefined): string | undefined {
  if (!moment) return undefined;
  const ms = Date.parse(moment.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function digest(value: unknown): string {
  return digestOf(value, 12);
}

