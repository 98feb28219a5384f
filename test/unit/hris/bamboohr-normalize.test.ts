import { describe, expect, it } from 'vitest';
import type { HrEvent, LifecycleKind } from '../../../src/hris/hr-event';
import {
  bambooChanges,
  bambooFieldName,
  missingFields,
  needsEmployeeRecord,
  normalizeBambooChange,
  normalizeBambooPayload,
} from '../../../src/hris/bamboohr/normalize';
import { parseBambooPayload, type BambooPayload } from '../../../src/hris/bamboohr/payload';

const context = { receivedAt: '2026-03-10T09:00:00.000Z', via: 'webhook' as const, sourceIp: '203.0.113.7' };

function payload(raw: unknown): BambooPayload {
  const parsed = parseBambooPayload(raw);
  if (!parsed.ok) throw new Error(`${parsed.path}: ${parsed.message}`);
  return parsed.payload;
}

/** A field-based delivery of one entry, labels as BambooHR posts them by default. */
function fieldBased(action: 'Created' | 'Updated' | 'Deleted', changed: string[], fields: Record<string, string | null>, timestamp = '2026-03-10T08:59:00+0000') {
  return payload({ employees: [{ action, changedFields: changed, fields, id: '42', timestamp }] });
}

function eventBased(type: string, changed: string[] = [], timestamp = '2026-03-10T08:59:00+0000') {
  return payload({ type, timestamp, data: { companyId: '1', employeeId: '42', changedFields: changed } });
}

const active = { 'Work Email': 'ada@acme.test', 'First Name': 'Ada', 'Last Name': 'Lovelace', Status: 'Active', 'Hire Date': '2026-03-16', 'Termination Date': '0000-00-00' };

function only(p: BambooPayload, record?: Record<string, string | null>): HrEvent | undefined {
  const [change] = bambooChanges(p);
  return normalizeBambooChange(change!, context, record);
}

describe('kind detection', () => {
  const cases: {
    name: string;
    payload: BambooPayload;
    record?: Record<string, string | null>;
    kind: LifecycleKind | undefined;
    effectiveDate?: string;
    immediate?: boolean;
  }[] = [
    { name: 'field-based Created', payload: fieldBased('Created', [], active), kind: 'hire', effectiveDate: '2026-03-16', immediate: false },
    {
      name: 'event-based employee.created completed from the API',
      payload: eventBased('employee.created'),
      record: { workEmail: 'ada@acme.test', status: 'Active', hireDate: '2026-03-16', terminationDate: null },
      kind: 'hire',
      effectiveDate: '2026-03-16',
    },
    {
      name: 'created already inactive is nothing to provision',
      payload: fieldBased('Created', [], { ...active, Status: 'Inactive', 'Termination Date': '2025-01-01', 'Hire Date': '2024-01-01' }),
      kind: undefined,
    },
    { name: 'status to Active with a hire date', payload: fieldBased('Updated', ['Status'], active), kind: 'hire', effectiveDate: '2026-03-16' },
    { name: 'hire date set', payload: fieldBased('Updated', ['Hire Date'], active), kind: 'hire', effectiveDate: '2026-03-16' },
    {
      name: 'future-dated termination keeps status Active',
      payload: fieldBased('Updated', ['Termination Date'], { ...active, 'Hire Date': '2020-01-06', 'Termination Date': '2026-03-31' }),
      kind: 'terminate',
      effectiveDate: '2026-03-31',
      immediate: false,
    },
    {
      name: 'status to Inactive with a termination date',
      payload: fieldBased('Updated', ['Status'], { ...active, Status: 'Inactive', 'Hire Date': '2020-01-06', 'Termination Date': '2026-03-09' }),
      kind: 'terminate',
      effectiveDate: '2026-03-09',
      immediate: false,
    },
    {
      name: 'involuntary termination is immediate',
      payload: fieldBased('Updated', ['Termination Date'], { ...active, 'Hire Date': '2020-01-06', 'Termination Date': '2026-03-12', 'Termination Type': 'Involuntary' }),
      kind: 'terminate',
      effectiveDate: '2026-03-12',
      immediate: true,
    },
    {
      name: 'voluntary termination is not immediate',
      payload: fieldBased('Updated', ['Termination Date'], { ...active, 'Hire Date': '2020-01-06', 'Termination Date': '2026-03-12', terminationTypeId: 'Voluntary' }),
      kind: 'terminate',
      immediate: false,
    },
    {
      name: 'employment status Terminated dated by its own date',
      payload: fieldBased('Updated', ['Employment Status'], { ...active, 'Hire Date': '2020-01-06', 'Employment Status': 'Terminated', 'Employment Status: Date': '2026-03-20' }),
      kind: 'terminate',
      effectiveDate: '2026-03-20',
    },
    {
      name: 'status Inactive with no date at all acts at once',
      payload: fieldBased('Updated', ['Status'], { ...active, Status: 'Inactive', 'Hire Date': '2020-01-06' }),
      kind: 'terminate',
      immediate: true,
    },
    {
      name: 'rehire: newer hire date after a termination',
      payload: fieldBased('Updated', ['Status', 'Hire Date'], { ...active, 'Hire Date': '2026-04-01', 'Termination Date': '2025-06-30' }),
      kind: 'rehire',
      effectiveDate: '2026-04-01',
    },
    {
      name: 'termination rescinded (date cleared, still active)',
      payload: fieldBased('Updated', ['Termination Date'], { ...active, 'Hire Date': '2020-01-06', 'Termination Date': '0000-00-00' }),
      kind: 'rescind',
    },
    {
      name: 'hire called off before day one',
      payload: fieldBased('Updated', ['Status'], { ...active, Status: 'Inactive', 'Hire Date': '2026-04-01' }),
      kind: 'rescind',
      effectiveDate: '2026-04-01',
    },
    { name: 'record deleted', payload: fieldBased('Deleted', [], {}), kind: 'rescind' },
    { name: 'event-based employee.deleted', payload: eventBased('employee.deleted'), kind: 'rescind' },
    { name: 'department change', payload: fieldBased('Updated', ['Department'], { ...active, 'Hire Date': '2020-01-06', Department: 'Engineering' }), kind: 'change' },
    {
      name: 'job title change dated by Job Information: Date',
      payload: fieldBased('Updated', ['Job Title'], { ...active, 'Hire Date': '2020-01-06', 'Job Title': 'SRE', 'Job Information: Date': '2026-04-01' }),
      kind: 'change',
      effectiveDate: '2026-04-01',
    },
    {
      name: 'employment status Full-Time to Part-Time is a change, not a hire',
      payload: fieldBased('Updated', ['Employment Status'], { ...active, 'Hire Date': '2020-01-06', 'Employment Status': 'Part-Time' }),
      kind: 'change',
    },
    {
      name: 'event-based supervisor change completed from the API',
      payload: eventBased('employee.updated', ['supervisorEId']),
      record: { workEmail: 'ada@acme.test', status: 'Active', hireDate: '2020-01-06', supervisorEId: '7' },
      kind: 'change',
    },
    { name: 'irrelevant field', payload: fieldBased('Updated', ['Home Phone'], { 'Home Phone': '555' }), kind: undefined },
  ];

  it.each(cases)('$name', ({ payload: p, record, kind, effectiveDate, immediate }) => {
    const event = only(p, record);
    expect(event?.kind).toBe(kind);
    if (effectiveDate !== undefined) expect(event?.effectiveDate).toBe(effectiveDate);
    if (immediate !== undefined) expect(event?.immediate).toBe(immediate);
  });
});

describe('mapping to HrEvent', () => {
  it('maps field-based labels to worker attributes', () => {
    const event = only(
      fieldBased('Updated', ['Department', 'Reporting to'], {
        ...active,
        'Hire Date': '2020-01-06',
        Department: 'Engineering',
        Division: 'R&D',
        'Job Title': 'Engineer',
        Location: 'London',
        'Employment Status': 'Full-Time',
        supervisorEId: '7',
        'Reporting to': 'Grace Hopper',
      }),
    );
    expect(event).toEqual({
      eventId: expect.stringMatching(/^bamboohr:42:[0-9a-f]{24}$/),
      source: 'bamboohr',
      employeeId: '42',
      kind: 'change',
      immediate: false,
      receivedAt: context.receivedAt,
      occurredAt: '2026-03-10T08:59:00.000Z',
      changedFields: ['department', 'supervisor'],
      worker: {
        workEmail: 'ada@acme.test',
        firstName: 'Ada',
        lastName: 'Lovelace',
        department: 'Engineering',
        division: 'R&D',
        jobTitle: 'Engineer',
        location: 'London',
        employmentType: 'Full-Time',
        managerId: '7',
        status: 'Active',
      },
      via: 'webhook',
      sourceIp: '203.0.113.7',
    } satisfies HrEvent);
    expect(event?.worker.timeZone).toBeUndefined();
  });

  it('prefers the payload values over the fetched record, and fills gaps from it', () => {
    const event = only(fieldBased('Updated', ['Job Title'], { 'Job Title': 'Staff Engineer' }), {
      jobTitle: 'Engineer',
      workEmail: 'ada@acme.test',
      department: 'Engineering',
    });
    expect(event?.worker).toMatchObject({ jobTitle: 'Staff Engineer', workEmail: 'ada@acme.test', department: 'Engineering' });
  });

  it('carries a time zone only when the payload has one', () => {
    const event = only(fieldBased('Updated', ['Location'], { ...active, 'Hire Date': '2020-01-06', Location: 'Tokyo', timeZone: 'Asia/Tokyo' }));
    expect(event?.worker.timeZone).toBe('Asia/Tokyo');
  });

  it('folds labels, API names and aliases to one name', () => {
    expect(bambooFieldName('Employment Status: Date')).toBe('employmentStatusDate');
    expect(bambooFieldName('employmentHistoryStatus')).toBe('employmentHistoryStatus');
    expect(bambooFieldName('Employment Status')).toBe('employmentHistoryStatus');
    expect(bambooFieldName('WORK EMAIL')).toBe('workEmail');
    expect(bambooFieldName('Home Phone')).toBeUndefined();
  });
});

describe('thin payloads', () => {
  it.each([
    ['event-based update', eventBased('employee.updated', ['jobTitle']), true],
    ['event-based create', eventBased('employee.created'), true],
    ['event-based delete (nothing to fetch)', eventBased('employee.deleted'), false],
    ['event-based irrelevant update', eventBased('employee.updated', ['homePhone']), false],
    ['field-based with everything', fieldBased('Updated', ['Status'], active), false],
    ['field-based without work email', fieldBased('Updated', ['Department'], { Department: 'Sales' }), true],
    ['field-based created with empty fields', payload({ employees: [{ action: 'Created', changedFields: [], fields: [], id: '42' }] }), true],
    ['field-based status change without dates', fieldBased('Updated', ['Status'], { 'Work Email': 'a@b.c', Status: 'Inactive' }), true],
  ])('%s', (_name, p, thin) => {
    const [change] = bambooChanges(p);
    expect(needsEmployeeRecord(change!)).toBe(thin);
  });

  it('names what is missing', () => {
    const [change] = bambooChanges(fieldBased('Updated', ['Reporting to'], { 'Work Email': 'a@b.c' }));
    expect(missingFields(change!)).toEqual(['supervisorEId']);
  });
});

describe('event IDs', () => {
  const idOf = (p: BambooPayload) => bambooChanges(p)[0]!.eventId;

  it('are stable for the same delivery, whatever the key order', () => {
    const a = payload({ employees: [{ action: 'Updated', changedFields: ['Department'], fields: { Department: 'Sales', 'Work Email': 'x@y.z' }, id: '42', timestamp: 't1' }] });
    const b = payload({ employees: [{ timestamp: 't1', id: '42', fields: { 'Work Email': 'x@y.z', Department: 'Sales' }, changedFields: ['Department'], action: 'Updated' }] });
    expect(idOf(a)).toBe(idOf(b));
    expect(idOf(eventBased('employee.updated', ['jobTitle']))).toBe(idOf(eventBased('employee.updated', ['jobTitle'])));
  });

  it('differ for different changes', () => {
    const ids = [
      idOf(fieldBased('Updated', ['Department'], { Department: 'Sales' })),
      idOf(fieldBased('Updated', ['Department'], { Department: 'Support' })),
      idOf(fieldBased('Updated', ['Department'], { Department: 'Sales' }, '2026-03-10T09:30:00+0000')),
      idOf(fieldBased('Updated', ['Division'], { Department: 'Sales' })),
      idOf(fieldBased('Deleted', [], {})),
      idOf(eventBased('employee.updated', ['jobTitle'])),
      idOf(eventBased('employee.updated', ['jobTitle'], '2026-03-10T10:00:00+0000')),
      idOf(eventBased('employee.updated', ['department'])),
      idOf(eventBased('employee.created')),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('give each entry of a batch its own ID and event', () => {
    const batch = payload({
      employees: [
        { action: 'Updated', changedFields: ['Department'], fields: { ...active, 'Hire Date': '2020-01-06', Department: 'Sales' }, id: '42', timestamp: 't' },
        { action: 'Updated', changedFields: ['Department'], fields: { ...active, 'Hire Date': '2020-01-06', Department: 'Sales' }, id: '43', timestamp: 't' },
        { action: 'Updated', changedFields: ['Home Phone'], fields: { 'Home Phone': '1' }, id: '44', timestamp: 't' },
      ],
    });
    const { events, ignored } = normalizeBambooPayload(batch, context);
    expect(events.map((e) => e.employeeId)).toEqual(['42', '43']);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    expect(ignored.map((c) => c.employeeId)).toEqual(['44']);
  });
});

describe('payload validation', () => {
  it.each([
    [[], '(root)', /JSON object/],
    [{}, '(root)', /neither/],
    [{ employees: [] }, 'employees', /must not be empty/],
    [{ employees: [{ changedFields: [], fields: {}, id: '1' }] }, 'employees[0].action', /is required/],
    [{ employees: [{ action: 'Moved', id: '1' }] }, 'employees[0].action', /one of "Created", "Updated", "Deleted"/],
    [{ employees: [{ action: 'Updated', id: 'a b' }] }, 'employees[0].id', /letters, digits/],
    [{ employees: [{ action: 'Updated', id: '1', changedFields: 'Status' }] }, 'employees[0].changedFields', /must be an array, got a string/],
    [{ type: 'employee.updated', data: { employeeId: '1' } }, 'timestamp', /is required/],
    [{ type: 'employee.promoted', timestamp: 't', data: { employeeId: '1' } }, 'type', /one of/],
    [{ type: 'employee.updated', timestamp: 't', data: {} }, 'data.employeeId', /is required/],
  ])('%j -> %s', (raw, path, message) => {
    const result = parseBambooPayload(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.path).toBe(path);
      expect(result.message).toMatch(message);
    }
  });

  it('accepts numeric IDs and PHP-style empty lists', () => {
    const result = parseBambooPayload({ employees: [{ action: 'Deleted', changedFields: {}, fields: [], id: 42 }] });
    expect(result.ok && result.payload.format === 'field' && result.payload.body.employees[0]).toMatchObject({ id: '42', changedFields: [], fields: {} });
  });
});
