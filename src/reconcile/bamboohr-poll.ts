import { createHash } from 'node:crypto';
import type { HrEvent, LifecycleKind, WorkerAttributes } from '../hris/hr-event';
import {
  bambooDate,
  bambooFields,
  bambooWorker,
  bambooWorkerFields,
  decideKind,
  isoTime,
  type BambooField,
  type BambooFields,
  type KindDecision,
} from '../hris/bamboohr/normalize';
import { hrFieldsInRecord, workerHrFields, type BambooHrFields } from '../hris/bamboohr/hr-fields';
import type { BambooFieldValues } from '../hris/bamboohr/payload';

/**
 * Missed-event reconciliation for BambooHR, the pure half: an employee the changed-since API
 * reported, their current record, and what the engine knows of them -> the one HR event that
 * brings the engine in line, or undefined when it already agrees (so an event that did arrive
 * by webhook is not applied twice). Each changed record is seen by a poll once (plus the
 * overlap between polls), so "agrees" must never be guessed: a miss is not retried.
 *
 * The record's lifecycle state is what the webhook path would decide had every lifecycle field
 * just changed (decideKind): terminated (leaving, including a termination dated ahead), hire
 * called off (Inactive, no termination, hire date ahead), or active.
 *
 *   record        engine knows                      event
 *   terminated    not offboarding/terminated         terminate on the termination date
 *   called off    joining                            rescind
 *   active        nothing, or lifecycle unknown      hire on the hire date (none without one)
 *   active        terminated                         rehire on the hire date
 *   active        offboarding                        rehire if rehired, else rescind (termination undone)
 *   active        joining/active/moving              change, when a reconciled attribute differs
 *   anything else                                    undefined
 *
 * A lifecycle event of the same kind already held by the worker's workflow (current or pending)
 * counts as agreement. The event ID is bamboohr:poll:<employeeId>:<24 hex of sha256> over the
 * kind, effective date, the record's lifecycle and reconciled values and BambooHR's lastChanged:
 * a repeated poll of the same record reproduces it (the inbox dedupes), while any later edit
 * yields a new one, so a value that comes back (A -> B -> A -> B) is not mistaken for a repeat.
 *
 * The HR fields declared in identity.hrFields ride along in worker.hrFields. They are neither
 * reconciled (a changed GitHub login alone is no move) nor part of the event ID.
 */

export type KnownLifecycle = 'unknown' | 'joining' | 'active' | 'moving' | 'offboarding' | 'terminated';

/** What the engine knows of a worker (its entity workflow's status); undefined = never seen. */
export interface KnownWorker {
  lifecycle: KnownLifecycle;
  worker: WorkerAttributes;
  /** The event the workflow is applying, if any (its status query reports it). */
  current?: { kind: LifecycleKind };
  /** Events the workflow holds but has not applied yet. */
  pending?: readonly { kind: LifecycleKind }[];
}

export interface BambooPollInput {
  employeeId: string;
  /** The employee as BambooHrClient.getEmployee returns them. */
  record: BambooFieldValues;
  /** When BambooHR last changed the record (from the changed-since API). */
  lastChanged: string;
  known: KnownWorker | undefined;
  /** When the poll ran (ISO-8601 UTC); "today" is derived from it, as for webhooks. */
  receivedAt: string;
  /** The HR fields of identity.hrFields BambooHR keeps; the record holds them when declared. */
  hrFields?: BambooHrFields;
}

/** The attributes whose difference is a move: what policy rules, approvals, identity and leaver timing use. */
export const reconciledAttributes = [
  'department', 'division', 'jobTitle', 'location', 'employmentType', 'managerId', 'workEmail', 'timeZone',
] as const satisfies readonly (keyof WorkerAttributes)[];
export type ReconciledAttribute = (typeof reconciledAttributes)[number];

const lifecycleRecordFields = ['status', 'hireDate', 'terminationDate'] as const satisfies readonly BambooField[];
const asIfAllChanged: ReadonlySet<BambooField> = new Set(lifecycleRecordFields);

type Decision = { kind: LifecycleKind; effectiveDate?: string; immediate: boolean; changedFields: string[] };

export function bambooPollEvent(input: BambooPollInput): HrEvent | undefined {
  const fields = bambooFields(input.record);
  const verdict = decideKind('updated', asIfAllChanged, fields, input.receivedAt.slice(0, 10));
  const decision = decide(verdict, fields, input.known);
  if (!decision || underway(input.known, decision.kind)) return undefined;
  const lastChanged = isoTime(input.lastChanged) ?? input.lastChanged;
  const hrFields = input.hrFields?.length ? workerHrFields(hrFieldsInRecord(input.record, input.hrFields)) : undefined;
  return {
    eventId: pollEventId(input.employeeId, decision, fields, lastChanged),
    source: 'bamboohr',
    employeeId: input.employeeId,
    kind: decision.kind,
    ...(decision.effectiveDate ? { effectiveDate: decision.effectiveDate } : {}),
    immediate: decision.immediate,
    receivedAt: input.receivedAt,
    occurredAt: lastChanged,
    changedFields: decision.changedFields,
    worker: { ...bambooWorker(fields), ...(hrFields ? { hrFields } : {}) },
    via: 'poll',
  };
}

function decide(verdict: KindDecision | undefined, fields: BambooFields, known: KnownWorker | undefined): Decision | undefined {
  const lifecycle = known?.lifecycle ?? 'unknown';
  const basis = lifecycleRecordFields.filter((f) => fields[f]?.trim());
  const hireDate = bambooDate(fields.hireDate);
  const at = (effectiveDate: string | undefined) => (effectiveDate ? { effectiveDate } : {});

  if (verdict?.kind === 'terminate') {
    if (lifecycle === 'offboarding' || lifecycle === 'terminated') return undefined;
    return { kind: 'terminate', ...at(verdict.effectiveDate), immediate: verdict.immediate, changedFields: basis };
  }
  if (verdict?.kind === 'rescind') {
    // Only a hire called off before day one reaches here; undoing it matters only while joining.
    return lifecycle === 'joining' ? { kind: 'rescind', ...at(verdict.effectiveDate), immediate: false, changedFields: basis } : undefined;
  }
  // Active from here on: verdict hire or rehire (with a hire date), or undefined (without one).
  switch (lifecycle) {
    case 'unknown':
      return hireDate ? { kind: 'hire', effectiveDate: hireDate, immediate: false, changedFields: basis } : undefined;
    case 'terminated':
      return { kind: 'rehire', ...at(hireDate), immediate: false, changedFields: basis };
    case 'offboarding':
      return verdict?.kind === 'rehire'
        ? { kind: 'rehire', ...at(hireDate), immediate: false, changedFields: basis }
        : { kind: 'rescind', immediate: false, changedFields: basis };
    default: {
      const differing = differingAttributes(fields, known?.worker ?? {});
      if (differing.length === 0) return undefined;
      return { kind: 'change', ...at(bambooDate(fields.jobInformationDate)), immediate: false, changedFields: differing };
    }
  }
}

/**
 * Reconciled attributes whose value in the record differs from the engine's. A field the record
 * does not carry at all is not reported (the API has no time zone, for one) and never differs;
 * one it carries blank is cleared, and differs from a value the engine still holds.
 */
export function differingAttributes(fields: BambooFields, worker: WorkerAttributes): ReconciledAttribute[] {
  return reconciledAttributes.filter((attribute) => {
    const field = bambooWorkerFields[attribute];
    if (!(field in fields)) return false;
    return (fields[field]?.trim() ?? '') !== (worker[attribute]?.trim() ?? '');
  });
}

/** Whether the workflow already holds a lifecycle event of this kind (a hire and a rehire count alike). */
function underway(known: KnownWorker | undefined, kind: LifecycleKind): boolean {
  if (!known || kind === 'change') return false;
  const family = (k: LifecycleKind) => (k === 'rehire' ? 'hire' : k);
  const held = [...(known.current ? [known.current] : []), ...(known.pending ?? [])];
  return held.some((e) => family(e.kind) === family(kind));
}

function pollEventId(employeeId: string, decision: Decision, fields: BambooFields, lastChanged: string): string {
  const value = (field: BambooField) => (field in fields ? (fields[field]?.trim() ?? '') : null);
  const state = [
    ...lifecycleRecordFields.map((f) => [f, value(f)]),
    ...reconciledAttributes.map((a) => [a, value(bambooWorkerFields[a])]),
  ];
  const canonical = JSON.stringify([decision.kind, decision.effectiveDate ?? null, decision.immediate, lastChanged, state]);
  return `bamboohr:poll:${employeeId}:${createHash('sha256').update(canonical).digest('hex').slice(0, 24)}`;
}
