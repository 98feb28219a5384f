import { describe, expect, it } from 'vitest';
import type { LifecycleKind } from '../../../src/hris/hr-event';
import {
  changedWorkerEvents,
  defaultWorkdayProcesses,
  normalizeWorkdayChange,
  processKind,
  workdayEffectiveDate,
  workdayProcesses,
  type WorkdayChangeInput,
  type WorkdayProcessMap,
} from '../../../src/hris/workday/normalize';
import type { WorkdayWorker } from '../../../src/hris/workday/worker';

const wid = 'b0685b69d8ac412582c0a44d7973f707';
const receivedAt = '2026-03-10T09:00:00.000Z';

const worker: WorkdayWorker = {
  workerId: '21001',
  wid: 'a'.repeat(32),
  workerType: 'employee',
  firstName: 'Ada',
  lastName: 'Lovelace',
  workEmail: 'ada@acme.test',
  jobTitle: 'Site Reliability Engineer',
  department: 'Engineering',
  division: 'Acme Ltd',
  location: 'London Office',
  timeZone: 'Europe/London',
  employmentType: 'Regular',
  managerId: '20000',
  active: true,
  hireDate: '2026-03-16',
  rehire: false,
  customIds: {},
  transactions: [],
};

function change(overrides: Partial<WorkdayChangeInput> & { type: string }) {
  const { type, ...rest } = overrides;
  return normalizeWorkdayChange({
    worker,
    businessProcessType: type,
    effectiveMoment: '2026-03-16T00:00:00.000-08:00',
    transactionLogWid: wid,
    receivedAt,
    via: 'webhook',
    kinds: defaultWorkdayProcesses,
    ...rest,
  });
}

describe('business process -> kind', () => {
  const tenant: WorkdayProcessMap = workdayProcesses({ hire: ['Hire Employee (Acme)'], rehire: ['Rehire - Acme'], terminate: ['Separation'] });
  const cases: { name: string; type: string; kinds?: WorkdayProcessMap; worker?: Partial<WorkdayWorker>; rescinded?: boolean; kind: LifecycleKind | undefined; immediate?: boolean }[] = [
    { name: 'Hire Employee', type: 'Hire Employee', kind: 'hire' },
    { name: 'Contract Contingent Worker', type: 'Contract Contingent Worker', kind: 'hire' },
    { name: 'case and spacing do not matter', type: '  hire   EMPLOYEE ', kind: 'hire' },
    { name: 'a hire Workday flags as a rehire', type: 'Hire Employee', worker: { rehire: true }, kind: 'rehire' },
    { name: 'Change Job', type: 'Change Job', kind: 'change' },
    { name: 'Change Organization Assignments for Worker', type: 'Change Organization Assignments for Worker', kind: 'change' },
    { name: 'Terminate Employee', type: 'Terminate Employee', kind: 'terminate', immediate: false },
    { name: 'involuntary termination is immediate', type: 'Terminate Employee', worker: { terminationInvoluntary: true }, kind: 'terminate', immediate: true },
    { name: 'End Contingent Worker Contract', type: 'End Contingent Worker Contract', kind: 'terminate' },
    { name: 'renamed tenant hire process', type: 'hire employee (acme)', kinds: tenant, kind: 'hire' },
    { name: 'renamed tenant rehire process', type: 'Rehire - Acme', kinds: tenant, kind: 'rehire' },
    { name: 'renamed tenant termination', type: 'Separation', kinds: tenant, kind: 'terminate' },
    { name: 'a default the tenant replaced', type: 'Terminate Employee', kinds: tenant, kind: undefined },
    { name: 'a list the tenant kept', type: 'Change Job', kinds: tenant, kind: 'change' },
    { name: 'unmapped process', type: 'Request Compensation Change', kind: undefined },
    { name: 'rescinded hire', type: 'Hire Employee', rescinded: true, kind: 'rescind' },
    { name: 'rescinded rehire', type: 'Hire Employee', worker: { rehire: true }, rescinded: true, kind: 'rescind' },
    { name: 'rescinded termination', type: 'Terminate Employee', rescinded: true, kind: 'rescind', immediate: false },
    { name: 'rescinded change: the data is back as it was', type: 'Change Job', rescinded: true, kind: 'change' },
    { name: 'rescinded unmapped process', type: 'Assign Pay Group', rescinded: true, kind: undefined },
  ];
  it.each(cases)('$name', ({ type, kinds, worker: patch, rescinded, kind, immediate }) => {
    const event = normalizeWorkdayChange({
      worker: { ...worker, ...patch },
      businessProcessType: type,
      effectiveMoment: '2026-03-16T00:00:00.000-08:00',
      transactionLogWid: wid,
      receivedAt,
      via: 'webhook',
      kinds: kinds ?? defaultWorkdayProcesses,
      ...(rescinded !== undefined ? { rescinded } : {}),
    });
    expect(event?.kind).toBe(kind);
    if (immediate !== undefined) expect(event?.immediate).toBe(immediate);
  });

  it('processKind checks rescind lists before the others', () => {
    const kinds = workdayProcesses({ rescind: ['Undo Hire'], hire: ['Undo Hire', 'Hire Employee'] });
    expect(processKind('Undo Hire', kinds)).toBe('rescind');
    expect(defaultWorkdayProcesses.rescind).toEqual([]);
  });
});

describe('the event', () => {
  it('carries the worker, the dates and the transaction identity', () => {
    expect(change({ type: 'Hire Employee', enteredMoment: '2026-03-01T10:00:00.000-08:00', sourceIp: '203.0.113.7' })).toEqual({
      eventId: `workday:${wid}`,
      source: 'workday',
      employeeId: '21001',
      kind: 'hire',
      effectiveDate: '2026-03-16',
      immediate: false,
      receivedAt,
      occurredAt: '2026-03-01T18:00:00.000Z',
      changedFields: [],
      worker: {
        workEmail: 'ada@acme.test',
        firstName: 'Ada',
        lastName: 'Lovelace',
        department: 'Engineering',
        division: 'Acme Ltd',
        jobTitle: 'Site Reliability Engineer',
        location: 'London Office',
        employmentType: 'Regular',
        managerId: '20000',
        timeZone: 'Europe/London',
        status: 'Active',
      },
      via: 'webhook',
      sourceIp: '203.0.113.7',
    });
  });

  it('has one ID per transaction, whichever path found it', () => {
    const logged = { ...worker, transactions: [{ wid, type: 'Hire Employee', effectiveMoment: '2026-03-16T00:00:00.000-08:00', enteredMoment: '2026-03-01T18:00:00Z', rescinded: false, corrected: false }] };
    const webhook = normalizeWorkdayChange({
      worker: logged,
      businessProcessType: 'Hire Employee',
      effectiveMoment: '2026-03-16T00:00:00.000-08:00',
      transactionLogWid: wid.toUpperCase(),
      receivedAt,
      via: 'webhook',
      kinds: defaultWorkdayProcesses,
    });
    const [poll] = changedWorkerEvents(logged, { receivedAt: '2026-03-10T09:15:00.000Z', kinds: defaultWorkdayProcesses });
    expect(webhook!.eventId).toBe(`workday:${wid}`);
    expect(poll!.eventId).toBe(webhook!.eventId);
    expect(poll).toMatchObject({ via: 'poll', kind: 'hire', effectiveDate: '2026-03-16', occurredAt: '2026-03-01T18:00:00.000Z' });
  });

  it('takes rescinded and corrected flags from the worker transaction log when the webhook has none', () => {
    const rescinded = { ...worker, transactions: [{ wid, type: 'Terminate Employee', rescinded: true, corrected: false }] };
    const event = normalizeWorkdayChange({ worker: rescinded, businessProcessType: 'Terminate Employee', transactionLogWid: wid, receivedAt, via: 'webhook', kinds: defaultWorkdayProcesses });
    expect(event).toMatchObject({ kind: 'rescind', eventId: `workday:rescinded-${wid}` });
  });

  it('gives a correction its own ID and the corrected date and attributes', () => {
    const plain = change({ type: 'Terminate Employee', effectiveMoment: '2026-04-30T00:00:00.000-07:00' })!;
    const corrected = change({ type: 'Terminate Employee', effectiveMoment: '2026-05-15T00:00:00.000-07:00', corrected: true })!;
    const again = change({ type: 'Terminate Employee', effectiveMoment: '2026-05-15T00:00:00.000-07:00', corrected: true })!;
    const later = change({ type: 'Terminate Employee', effectiveMoment: '2026-05-31T00:00:00.000-07:00', corrected: true })!;
    expect(corrected).toMatchObject({ kind: 'terminate', effectiveDate: '2026-05-15' });
    expect(corrected.eventId).toMatch(new RegExp(`^workday:corrected-${wid}-[0-9a-f]{12}$`));
    expect(corrected.eventId).not.toBe(plain.eventId);
    expect(again.eventId).toBe(corrected.eventId);
    expect(later.eventId).not.toBe(corrected.eventId);
  });
});

describe('effective date', () => {
  const cases: [string, string | undefined, string | undefined, string | undefined][] = [
    ['a date-effective moment is its date as written', '2026-12-01T00:00:00.000-08:00', undefined, '2026-12-01'],
    ['... even for a worker west of the offset', '2026-12-01T00:00:00.000-08:00', 'Pacific/Honolulu', '2026-12-01'],
    ['... and east of it', '2026-12-01T00:00:00-08:00', 'Asia/Tokyo', '2026-12-01'],
    ['an instant is dated in the worker zone', '2026-11-30T23:30:00-08:00', 'Europe/London', '2026-12-01'],
    ['an instant in UTC, worker in California', '2026-12-01T03:00:00Z', 'America/Los_Angeles', '2026-11-30'],
    ['an instant without a known zone stays as written', '2026-11-30T23:30:00-08:00', undefined, '2026-11-30'],
    ['an unknown zone falls back to as written', '2026-11-30T23:30:00-08:00', 'Mars/Olympus', '2026-11-30'],
    ['a Workday xsd:date with its zone', '2026-03-16-08:00', 'Asia/Tokyo', '2026-03-16'],
    ['a plain date', '2026-03-16', undefined, '2026-03-16'],
    ['not a date', '16/03/2026', undefined, undefined],
    ['not a real day', '2026-02-30T00:00:00Z', undefined, undefined],
    ['missing', undefined, 'Europe/London', undefined],
  ];
  it.each(cases)('%s', (_name, moment, zone, expected) => {
    expect(workdayEffectiveDate(moment, zone)).toBe(expected);
  });

  it('is computed in the worker zone for the event', () => {
    expect(change({ type: 'Change Job', effectiveMoment: '2026-11-30T23:30:00-08:00' })!.effectiveDate).toBe('2026-12-01');
    const noZone = { ...worker };
    delete noZone.timeZone;
    expect(change({ type: 'Change Job', worker: noZone, effectiveMoment: '2026-11-30T23:30:00-08:00' })!.effectiveDate).toBe('2026-11-30');
  });
});

describe('changedWorkerEvents', () => {
  const polled: WorkdayWorker = {
    ...worker,
    transactions: [
      { wid: 'c'.repeat(32), type: 'Change Job', effectiveMoment: '2026-04-01T00:00:00.000-07:00', enteredMoment: '2026-03-20T17:00:00Z', rescinded: false, corrected: false },
      { wid: 'd'.repeat(32), type: 'Hire Employee', effectiveMoment: '2026-03-16T00:00:00.000-07:00', enteredMoment: '2026-03-01T10:00:00Z', rescinded: false, corrected: false },
      { wid: 'e'.repeat(32), type: 'Assign Pay Group', enteredMoment: '2026-03-20T17:00:01Z', rescinded: false, corrected: false },
      { wid: 'f'.repeat(32), type: 'Terminate Employee', effectiveMoment: '2026-06-30T00:00:00.000-07:00', enteredMoment: '2026-03-21T08:00:00Z', rescinded: true, corrected: false },
    ],
  };

  it('gives one event per mapped transaction, oldest entry first', () => {
    const events = changedWorkerEvents(polled, { receivedAt, kinds: defaultWorkdayProcesses });
    expect(events.map((e) => [e.eventId, e.kind, e.effectiveDate ?? null])).toEqual([
      [`workday:${'d'.repeat(32)}`, 'hire', '2026-03-16'],
      [`workday:${'c'.repeat(32)}`, 'change', '2026-04-01'],
      [`workday:rescinded-${'f'.repeat(32)}`, 'rescind', '2026-06-30'],
    ]);
    expect(events.every((e) => e.via === 'poll' && e.employeeId === '21001')).toBe(true);
  });

  it('keeps to the poll window, so older history is not replayed', () => {
    const events = changedWorkerEvents(polled, { receivedAt, kinds: defaultWorkdayProcesses, window: { from: '2026-03-20T00:00:00Z', through: '2026-03-21T00:00:00Z' } });
    expect(events.map((e) => e.kind)).toEqual(['change']);
  });
});
