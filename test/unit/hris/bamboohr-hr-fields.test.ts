import { describe, expect, it } from 'vitest';
import {
  bambooApiFieldName,
  bambooHrFields,
  hrFieldsInPayload,
  hrFieldsInRecord,
  workerHrFields,
  type BambooHrFields,
} from '../../../src/hris/bamboohr/hr-fields';
import {
  bambooChanges,
  employeeRecordFields,
  employeeRecordFieldsWith,
  missingFields,
  needsEmployeeRecord,
  normalizeBambooChange,
  normalizeBambooPayload,
} from '../../../src/hris/bamboohr/normalize';
import { parseBambooPayload, type BambooPayload } from '../../../src/hris/bamboohr/payload';
import { bambooPollEvent } from '../../../src/reconcile/bamboohr-poll';

const github: BambooHrFields = [{ name: 'githubLogin', field: 'customGitHubUsername' }];
const context = { receivedAt: '2026-03-10T09:00:00.000Z', via: 'webhook' as const, hrFields: github };

function payload(raw: unknown): BambooPayload {
  const parsed = parseBambooPayload(raw);
  if (!parsed.ok) throw new Error(`${parsed.path}: ${parsed.message}`);
  return parsed.payload;
}

const termination = { 'Work Email': 'ada@acme.test', Status: 'Inactive', 'Hire Date': '2020-01-06', 'Termination Date': '2026-03-09' };
function fieldBased(fields: Record<string, string | null>, changed = ['Status', 'Termination Date']) {
  return payload({ employees: [{ action: 'Updated', changedFields: changed, fields, id: '42', timestamp: '2026-03-10T08:59:00+0000' }] });
}
const eventBased = payload({ type: 'employee.updated', timestamp: '2026-03-10T08:59:00+0000', data: { employeeId: '42', changedFields: ['status'] } });

describe('identity.hrFields as BambooHR keeps them', () => {
  it('takes only the fields with a BambooHR source, by their name in the config', () => {
    expect(bambooHrFields({ githubLogin: { bamboohr: 'customGitHubUsername', workday: 'GitHub_Username' }, badge: { workday: 'Badge_ID' } })).toEqual([
      { name: 'githubLogin', field: 'customGitHubUsername' },
    ]);
    expect(bambooHrFields(undefined)).toEqual([]);
  });

  it.each([
    ['the API name', 'customGitHubUsername', { customGitHubUsername: 'ada-gh' }],
    ['the English label of a field-based payload', 'customGitHubUsername', { 'GitHub Username': 'ada-gh' }],
    ['the label when the config names the label', 'GitHub Username', { 'GitHub Username': 'ada-gh' }],
    ['the API name when the config names the label', 'GitHub Username', { customGitHubUsername: 'ada-gh' }],
    ['an admin-chosen alias, in another case', 'gh_login', { 'GH Login': 'ada-gh' }],
    ['a numeric field ID', '4047', { '4047': 'ada-gh' }],
  ])('finds a payload field by %s', (_name, field, fields) => {
    expect(hrFieldsInPayload(fields, [{ name: 'githubLogin', field }])).toEqual({ githubLogin: 'ada-gh' });
  });

  it('prefers an exact folded match, keeps a carried blank as null, and leaves out what is not mentioned', () => {
    const declared = [
      { name: 'githubLogin', field: 'GitHub Username' },
      { name: 'badge', field: 'customBadge' },
      { name: 'desk', field: 'Desk' },
    ];
    expect(hrFieldsInPayload({ customGitHubUsername: 'loose', 'GitHub Username': 'exact', 'Custom Badge': null }, declared)).toEqual({ githubLogin: 'exact', badge: null });
  });

  it('matches an API record only under the name it was asked for (no standard field stands in for a custom one)', () => {
    const declared = [{ name: 'team', field: 'customDepartment' }];
    expect(hrFieldsInRecord({ id: '42', department: 'Engineering' }, declared)).toEqual({});
    expect(hrFieldsInRecord({ id: '42', customDepartment: 'Platform' }, declared)).toEqual({ team: 'Platform' });
    expect(hrFieldsInRecord({ id: '42', customGitHubUsername: 'ada-gh' }, [{ name: 'githubLogin', field: 'GitHub Username' }])).toEqual({ githubLogin: 'ada-gh' });
    expect(hrFieldsInRecord({ id: '42', '4047': null }, [{ name: 'githubLogin', field: '4047' }])).toEqual({ githubLogin: null });
  });

  it('asks the API for API names and IDs as configured, and for a label by the alias BambooHR gives such a custom field', () => {
    expect(bambooApiFieldName('customGitHubUsername')).toBe('customGitHubUsername');
    expect(bambooApiFieldName('4047')).toBe('4047');
    expect(bambooApiFieldName('4020.1')).toBe('4020.1');
    expect(bambooApiFieldName('GitHub Username')).toBe('customGitHubUsername');
    expect(bambooApiFieldName('shirt size')).toBe('customShirtSize');
  });

  it('asks the employee record for the declared fields too, and for exactly what it always did without them', () => {
    expect(employeeRecordFieldsWith([])).toBe(employeeRecordFields);
    expect(employeeRecordFieldsWith([...github, { name: 'email', field: 'workEmail' }])).toEqual([...employeeRecordFields, 'customGitHubUsername']);
  });

  it('trims values and leaves blanks out of worker.hrFields', () => {
    expect(workerHrFields({ githubLogin: '  ada-gh ', badge: '   ', desk: null })).toEqual({ githubLogin: 'ada-gh' });
    expect(workerHrFields({ badge: '' })).toBeUndefined();
  });
});

describe('BambooHR changes with declared HR fields', () => {
  it('a field-based change carrying the field needs no API call and carries it in worker.hrFields', () => {
    const [change] = bambooChanges(fieldBased({ ...termination, 'GitHub Username': ' ada-gh ' }), github);
    expect(missingFields(change!, github)).toEqual([]);
    const event = normalizeBambooChange(change!, context);
    expect(event).toMatchObject({ kind: 'terminate', worker: { workEmail: 'ada@acme.test', hrFields: { githubLogin: 'ada-gh' } } });
  });

  it('a field-based termination lacking the field is completed from the API, the payload winning where both speak', () => {
    const [change] = bambooChanges(fieldBased(termination), github);
    expect(missingFields(change!, github)).toEqual(['customGitHubUsername']);
    expect(needsEmployeeRecord(change!, github)).toBe(true);
    const record = { id: '42', workEmail: 'old@acme.test', status: 'Active', customGitHubUsername: 'ada-gh' };
    const event = normalizeBambooChange(change!, context, record);
    expect(event).toMatchObject({ kind: 'terminate', worker: { workEmail: 'ada@acme.test', hrFields: { githubLogin: 'ada-gh' } } });
  });

  it('a carried blank counts as said: no API call, no value', () => {
    const [change] = bambooChanges(fieldBased({ ...termination, 'GitHub Username': '' }), github);
    expect(missingFields(change!, github)).toEqual([]);
    expect(normalizeBambooChange(change!, context)!.worker.hrFields).toBeUndefined();
  });

  it('an event-based change takes the field from the record', () => {
    const [change] = bambooChanges(eventBased, github);
    expect(missingFields(change!, github)).toEqual(['workEmail', 'status', 'hireDate', 'terminationDate', 'customGitHubUsername']);
    const record = { id: '42', workEmail: 'ada@acme.test', status: 'Inactive', hireDate: '2020-01-06', terminationDate: '2026-03-09', customGitHubUsername: 'ada-gh' };
    expect(normalizeBambooChange(change!, context, record)!.worker.hrFields).toEqual({ githubLogin: 'ada-gh' });
  });

  it('without declared fields, nothing changes: same API need, no hrFields, even where the payload has the field', () => {
    const [change] = bambooChanges(fieldBased({ ...termination, 'GitHub Username': 'ada-gh' }));
    expect(change!.hrFields).toBeUndefined();
    expect(missingFields(change!)).toEqual([]);
    const event = normalizeBambooChange(change!, { receivedAt: context.receivedAt, via: 'webhook' });
    expect(event!.worker).not.toHaveProperty('hrFields');
  });

  it('changing only the custom field is no lifecycle event, and needs no API call', () => {
    const [change] = bambooChanges(fieldBased({ 'GitHub Username': 'ada-new' }, ['GitHub Username']), github);
    expect(missingFields(change!, github)).toEqual([]);
    expect(normalizeBambooChange(change!, context)).toBeUndefined();
  });

  it('keeps the event IDs of every payload whether or not HR fields are declared', () => {
    for (const p of [fieldBased({ ...termination, 'GitHub Username': 'ada-gh' }), fieldBased(termination), eventBased]) {
      expect(bambooChanges(p, github).map((c) => c.eventId)).toEqual(bambooChanges(p).map((c) => c.eventId));
    }
    const batch = fieldBased({ ...termination, 'GitHub Username': 'ada-gh' });
    expect(normalizeBambooPayload(batch, context).events.map((e) => e.eventId)).toEqual(
      normalizeBambooPayload(batch, { receivedAt: context.receivedAt, via: 'webhook' }).events.map((e) => e.eventId),
    );
  });
});

describe('BambooHR poll with declared HR fields', () => {
  const record = { id: '42', workEmail: 'ada@acme.test', status: 'Inactive', hireDate: '2020-01-06', terminationDate: '2026-03-09', customGitHubUsername: 'ada-gh' };
  const input = { employeeId: '42', record, lastChanged: '2026-03-10T08:55:00.000Z', known: undefined, receivedAt: context.receivedAt };

  it('carries them in worker.hrFields without touching the event ID', () => {
    const withFields = bambooPollEvent({ ...input, hrFields: github });
    const without = bambooPollEvent(input);
    expect(withFields!.worker.hrFields).toEqual({ githubLogin: 'ada-gh' });
    expect(without!.worker).not.toHaveProperty('hrFields');
    expect(withFields!.eventId).toBe(without!.eventId);
  });

  it('a changed login alone is no move', () => {
    const active = { ...record, status: 'Active', terminationDate: null, customGitHubUsername: 'ada-new' };
    const known = { lifecycle: 'active' as const, worker: { workEmail: 'ada@acme.test', status: 'Active', hrFields: { githubLogin: 'ada-gh' } } };
    expect(bambooPollEvent({ ...input, record: active, known, hrFields: github })).toBeUndefined();
  });
});
