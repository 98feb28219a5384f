import { describe, expect, it } from 'vitest';
import type { LifecycleKind, WorkerAttributes } from '../../../src/hris/hr-event';
import { bambooPollEvent, type BambooPollInput, type KnownLifecycle, type KnownWorker } from '../../../src/reconcile/bamboohr-poll';

const receivedAt = '2026-03-10T09:00:00.000Z';
const lastChanged = '2026-03-10T08:55:00.000Z';

/** Ada as GET /v1/employees/42 returns her with the fields the engine asks for. */
const active: Record<string, string | null> = {
  id: '42',
  firstName: 'Ada',
  lastName: 'Lovelace',
  workEmail: 'ada@acme.test',
  department: 'Engineering',
  division: 'R&D',
  jobTitle: 'Engineer',
  location: 'London',
  employmentHistoryStatus: 'Full-Time',
  supervisorEId: '7',
  hireDate: '2024-01-08',
  terminationDate: null,
  status: 'Active',
};
const terminated = { ...active, status: 'Inactive', terminationDate: '2026-03-09' };
const rehired = { ...active, hireDate: '2026-03-16', terminationDate: '2025-12-31' };
const calledOff = { ...active, status: 'Inactive', hireDate: '2026-03-16' };

/** What the engine holds after applying Ada's hire (the API has no time zone; a webhook gave one). */
const adaWorker: WorkerAttributes = {
  workEmail: 'ada@acme.test',
  firstName: 'Ada',
  lastName: 'Lovelace',
  department: 'Engineering',
  division: 'R&D',
  jobTitle: 'Engineer',
  location: 'London',
  employmentType: 'Full-Time',
  managerId: '7',
  timeZone: 'Europe/London',
  status: 'Active',
};

const knows = (lifecycle: KnownLifecycle, worker: WorkerAttributes = adaWorker, extra: Partial<KnownWorker> = {}): KnownWorker => ({ lifecycle, worker, ...extra });

function poll(record: Record<string, string | null>, known: KnownWorker | undefined, overrides: Partial<BambooPollInput> = {}) {
  return bambooPollEvent({ employeeId: '42', record, lastChanged, known, receivedAt, ...overrides });
}

interface Case {
  name: string;
  record: Record<string, string | null>;
  known: KnownWorker | undefined;
  kind: LifecycleKind | undefined;
  effectiveDate?: string;
  immediate?: boolean;
  changedFields?: string[];
}

const cases: Case[] = [
  // hire
  { name: 'active, never seen -> hire on the hire date', record: active, known: undefined, kind: 'hire', effectiveDate: '2024-01-08', immediate: false },
  { name: 'active with a start date ahead, never seen -> hire on that date', record: { ...active, hireDate: '2026-03-16' }, known: undefined, kind: 'hire', effectiveDate: '2026-03-16' },
  { name: 'active, workflow knows nothing yet (lifecycle unknown) -> hire', record: active, known: knows('unknown', {}), kind: 'hire', effectiveDate: '2024-01-08' },
  { name: 'active after a hire that was called off (lifecycle unknown) -> hire', record: active, known: knows('unknown'), kind: 'hire' },
  { name: 'rehired but never seen -> a first hire for the engine', record: rehired, known: undefined, kind: 'hire', effectiveDate: '2026-03-16' },
  { name: 'active without a hire date, never seen -> nothing to date a hire on', record: { ...active, hireDate: '0000-00-00' }, known: undefined, kind: undefined },
  // terminate
  { name: 'terminated, engine thinks active -> terminate on the termination date', record: terminated, known: knows('active'), kind: 'terminate', effectiveDate: '2026-03-09', immediate: false, changedFields: ['status', 'hireDate', 'terminationDate'] },
  { name: 'terminated while joining -> terminate', record: terminated, known: knows('joining'), kind: 'terminate', effectiveDate: '2026-03-09' },
  { name: 'terminated while moving -> terminate', record: terminated, known: knows('moving'), kind: 'terminate' },
  { name: 'terminated, never seen -> terminate', record: terminated, known: undefined, kind: 'terminate', effectiveDate: '2026-03-09' },
  { name: 'terminated, lifecycle unknown -> terminate', record: terminated, known: knows('unknown', {}), kind: 'terminate' },
  { name: 'involuntary termination -> immediate', record: { ...terminated, terminationType: 'Involuntary' }, known: knows('active'), kind: 'terminate', immediate: true },
  { name: 'voluntary termination -> not immediate', record: { ...terminated, terminationTypeId: 'Voluntary' }, known: knows('active'), kind: 'terminate', immediate: false },
  { name: 'Inactive with no date at all -> immediate', record: { ...active, status: 'Inactive' }, known: knows('active'), kind: 'terminate', immediate: true },
  { name: 'termination dated ahead, status still Active -> terminate on that date', record: { ...active, terminationDate: '2026-03-31' }, known: knows('active'), kind: 'terminate', effectiveDate: '2026-03-31', immediate: false },
  { name: 'webhook already applied: terminated and offboarding -> nothing', record: terminated, known: knows('offboarding'), kind: undefined },
  { name: 'webhook already applied: terminated and terminated -> nothing', record: terminated, known: knows('terminated'), kind: undefined },
  // rehire
  { name: 'rehired, engine terminated -> rehire on the new hire date', record: rehired, known: knows('terminated'), kind: 'rehire', effectiveDate: '2026-03-16', immediate: false },
  { name: 'termination undone after it took effect -> rehire', record: active, known: knows('terminated'), kind: 'rehire', effectiveDate: '2024-01-08' },
  { name: 'rehired while the leaver still runs -> rehire', record: rehired, known: knows('offboarding'), kind: 'rehire', effectiveDate: '2026-03-16' },
  // rescind
  { name: 'termination undone while offboarding -> rescind', record: active, known: knows('offboarding'), kind: 'rescind', immediate: false },
  { name: 'hire called off while joining -> rescind', record: calledOff, known: knows('joining'), kind: 'rescind', effectiveDate: '2026-03-16' },
  { name: 'hire called off, never seen -> nothing to undo', record: calledOff, known: undefined, kind: undefined },
  { name: 'hire called off, lifecycle unknown -> nothing to undo', record: calledOff, known: knows('unknown'), kind: undefined },
  // change
  { name: 'webhook already applied: same attributes, active -> nothing', record: active, known: knows('active'), kind: undefined },
  { name: 'webhook already applied: same attributes, joining -> nothing', record: { ...active, hireDate: '2026-03-16' }, known: knows('joining'), kind: undefined },
  { name: 'webhook already applied: same attributes, moving -> nothing', record: active, known: knows('moving'), kind: undefined },
  { name: 'new job title -> change', record: { ...active, jobTitle: 'SRE' }, known: knows('active'), kind: 'change', changedFields: ['jobTitle'], immediate: false },
  { name: 'new department while joining -> change', record: { ...active, department: 'Sales' }, known: knows('joining'), kind: 'change', changedFields: ['department'] },
  {
    name: 'several attributes, named as the engine names them',
    record: { ...active, workEmail: 'ada.l@acme.test', supervisorEId: '9', employmentHistoryStatus: 'Contractor', location: 'Paris' },
    known: knows('active'),
    kind: 'change',
    changedFields: ['location', 'employmentType', 'managerId', 'workEmail'],
  },
  { name: 'change dated by the job information date', record: { ...active, division: 'Ops', jobInformationDate: '2026-04-01' }, known: knows('active'), kind: 'change', effectiveDate: '2026-04-01', changedFields: ['division'] },
  { name: 'time zone, when the record carries one', record: { ...active, timeZone: 'Europe/Paris' }, known: knows('active'), kind: 'change', changedFields: ['timeZone'] },
  { name: 'a cleared attribute -> change', record: { ...active, division: null }, known: knows('active'), kind: 'change', changedFields: ['division'] },
  { name: 'a value the engine never had, still blank -> nothing', record: { ...active, division: '' }, known: knows('active', { ...adaWorker, division: undefined }), kind: undefined },
  { name: 'whitespace only -> nothing', record: { ...active, jobTitle: ' Engineer ' }, known: knows('active'), kind: undefined },
  { name: 'only a phone number changed -> nothing', record: { ...active, homePhone: '+44 20 7946 0000', mobilePhone: '+44 7700 900000' }, known: knows('active'), kind: undefined },
  { name: 'only the name changed -> nothing the policy matches on', record: { ...active, lastName: 'King' }, known: knows('active'), kind: undefined },
  { name: 'attributes differ but the worker is leaving: the termination wins', record: { ...terminated, department: 'Sales' }, known: knows('active'), kind: 'terminate' },
  { name: 'attributes differ while offboarding (termination pending) -> nothing', record: { ...active, terminationDate: '2026-03-31', department: 'Sales' }, known: knows('offboarding'), kind: undefined },
  // already held by the workflow
  { name: 'hire being applied (lifecycle not yet set) -> nothing', record: active, known: knows('unknown', {}, { current: { kind: 'hire' } }), kind: undefined },
  { name: 'termination queued behind a move -> nothing', record: terminated, known: knows('moving', adaWorker, { pending: [{ kind: 'terminate' }] }), kind: undefined },
  { name: 'rehire queued as a hire -> nothing', record: rehired, known: knows('terminated', adaWorker, { pending: [{ kind: 'hire' }] }), kind: undefined },
  { name: 'a queued change does not hide another difference', record: { ...active, jobTitle: 'SRE' }, known: knows('active', adaWorker, { pending: [{ kind: 'change' }] }), kind: 'change', changedFields: ['jobTitle'] },
  { name: 'a queued termination does not hide a hire', record: active, known: knows('unknown', {}, { pending: [{ kind: 'terminate' }] }), kind: 'hire' },
];

describe('bambooPollEvent decides', () => {
  it.each(cases)('$name', ({ record, known, kind, effectiveDate, immediate, changedFields }) => {
    const event = poll(record, known);
    expect(event?.kind).toBe(kind);
    if (!event) return;
    if (effectiveDate !== undefined) expect(event.effectiveDate).toBe(effectiveDate);
    if (immediate !== undefined) expect(event.immediate).toBe(immediate);
    if (changedFields !== undefined) expect(event.changedFields).toEqual(changedFields);
  });

  it('leaves effectiveDate out when BambooHR gives none', () => {
    expect(poll(active, knows('offboarding'))).not.toHaveProperty('effectiveDate');
    expect(poll({ ...active, jobTitle: 'SRE' }, knows('active'))).not.toHaveProperty('effectiveDate');
  });
});

describe('the event', () => {
  it('is a poll event from BambooHR carrying the worker as the record describes them', () => {
    const event = poll({ ...active, jobTitle: 'SRE', homePhone: '555' }, knows('active'), { lastChanged: '2026-03-10T08:55:00+00:00' });
    expect(event).toEqual({
      eventId: expect.stringMatching(/^bamboohr:poll:42:[0-9a-f]{24}$/),
      source: 'bamboohr',
      employeeId: '42',
      kind: 'change',
      immediate: false,
      receivedAt,
      occurredAt: lastChanged,
      changedFields: ['jobTitle'],
      worker: { ...adaWorker, jobTitle: 'SRE', timeZone: undefined },
      via: 'poll',
    });
    expect(event!.worker).not.toHaveProperty('timeZone');
  });

  it('names the lifecycle fields it read for a lifecycle event', () => {
    expect(poll(active, undefined)?.changedFields).toEqual(['status', 'hireDate']);
  });
});

describe('event IDs', () => {
  const idOf = (record: Record<string, string | null>, known: KnownWorker | undefined, overrides: Partial<BambooPollInput> = {}) => poll(record, known, overrides)!.eventId;

  it('are the same when the same state is polled again, whenever the poll runs', () => {
    const first = idOf(terminated, knows('active'));
    expect(idOf(terminated, knows('active'))).toBe(first);
    expect(idOf(terminated, knows('moving'), { receivedAt: '2026-03-10T09:15:00.000Z' })).toBe(first);
    expect(idOf({ ...terminated, homePhone: '555', id: '42' }, knows('joining', {}))).toBe(first);
    // The same moment written BambooHR's way.
    expect(idOf(terminated, knows('active'), { lastChanged: '2026-03-10T08:55:00+00:00' })).toBe(first);
  });

  it('differ when the state differs', () => {
    const ids = new Set([
      idOf(terminated, knows('active')),
      idOf({ ...terminated, terminationDate: '2026-03-08' }, knows('active')),
      idOf({ ...terminated, terminationType: 'Involuntary' }, knows('active')),
      idOf({ ...terminated, department: 'Sales' }, knows('active')),
      idOf({ ...active, jobTitle: 'SRE' }, knows('active')),
      idOf({ ...active, jobTitle: 'Staff SRE' }, knows('active')),
      idOf(active, knows('terminated')),
      idOf(active, knows('offboarding')),
    ]);
    expect(ids.size).toBe(8);
  });

  it('differ for each edit BambooHR records, so a value that comes back is not taken for a repeat', () => {
    const toSales = idOf({ ...active, department: 'Sales' }, knows('active'), { lastChanged: '2026-03-01T10:00:00.000Z' });
    const salesAgain = idOf({ ...active, department: 'Sales' }, knows('active'), { lastChanged: '2026-03-05T10:00:00.000Z' });
    expect(salesAgain).not.toBe(toSales);
  });

  it('are scoped to the employee', () => {
    expect(idOf(active, undefined, { employeeId: '43' })).toMatch(/^bamboohr:poll:43:/);
  });
});
