import { describe, expect, it } from 'vitest';
import type { HrEvent } from '../../../src/hris/hr-event';
import type { InboxRow } from '../../../src/intake/inbox';
import { checkGivenEvent, checkReference } from '../../../src/intake/verify';

const hire: HrEvent = {
  eventId: 'bamboohr:7:a',
  source: 'bamboohr',
  employeeId: '7',
  kind: 'hire',
  immediate: false,
  receivedAt: '2026-01-05T10:00:00.000Z',
  changedFields: [],
  worker: { workEmail: 'w7@acme.test', department: 'Sales' },
  via: 'webhook',
};
const change: HrEvent = { ...hire, eventId: 'bamboohr:7:b', kind: 'change', changedFields: ['jobTitle'], worker: { jobTitle: 'SRE' } };
const row = (event: HrEvent, id = '1'): InboxRow => ({
  id,
  eventId: event.eventId,
  source: event.source,
  employeeId: event.employeeId,
  kind: event.kind,
  event,
  receivedAt: event.receivedAt,
  status: 'dispatched',
  attempts: 1,
  workflowIds: [],
  nextAttemptAt: event.receivedAt,
});

describe('an HR event a workflow was given, against the inbox', () => {
  it('the stored event as it was stored checks out (key order and absent members do not matter)', () => {
    const { via, ...rest } = hire;
    const reordered = JSON.parse(JSON.stringify({ via, ...rest, occurredAt: undefined })) as HrEvent;
    expect(checkGivenEvent({ event: reordered }, row(hire))).toBeUndefined();
  });

  it.each([
    ['not_in_inbox', { event: hire }, undefined],
    ['other_worker', { event: { ...hire, employeeId: '8' } }, row(hire)],
    ['other_worker', { event: { ...hire, source: 'workday' as const } }, row(hire)],
    ['other_kind', { event: { ...hire, kind: 'terminate' as const } }, row(hire)],
    ['content_differs', { event: { ...hire, immediate: true } }, row(hire)],
    ['content_differs', { event: { ...hire, worker: { ...hire.worker, department: 'Engineering' } } }, row(hire)],
  ])('%s', (reason, given, stored) => {
    expect(checkGivenEvent(given, stored)).toBe(reason);
  });

  it('a merged event: its own fields as stored, the others reported for the worker by earlier stored events', () => {
    const merged = { ...change, worker: { ...hire.worker, ...change.worker } };
    expect(checkGivenEvent({ event: merged, merged: true }, row(change, '2'), [hire, change])).toBeUndefined();
    expect(checkGivenEvent({ event: merged, merged: true, previous: hire.worker }, row(change, '2'), [hire, change])).toBeUndefined();
    // An attribute no stored event of this worker reported.
    const padded = { ...merged, worker: { ...merged.worker, division: 'Platform' } };
    expect(checkGivenEvent({ event: padded, merged: true }, row(change, '2'), [hire, change])).toBe('attributes_not_reported');
    expect(checkGivenEvent({ event: merged, merged: true, previous: { department: 'Engineering' } }, row(change, '2'), [hire, change])).toBe('attributes_not_reported');
    // Another worker's values do not count.
    expect(checkGivenEvent({ event: merged, merged: true }, row(change, '2'), [{ ...hire, employeeId: '8' }, change])).toBe('attributes_not_reported');
    // The event's own attributes are still exact.
    expect(checkGivenEvent({ event: { ...merged, worker: { ...merged.worker, jobTitle: 'CEO' } }, merged: true }, row(change, '2'), [hire, change])).toBe('content_differs');
  });

  it('an event named by ID: stored, for this worker, of the kind the signal stands for', () => {
    const ref = { eventId: change.eventId, source: 'bamboohr', employeeId: '7', kinds: ['change'] as const };
    expect(checkReference(ref, row(change))).toBeUndefined();
    expect(checkReference(ref, undefined)).toBe('not_in_inbox');
    expect(checkReference({ ...ref, employeeId: '8' }, row(change))).toBe('other_worker');
    expect(checkReference({ ...ref, kinds: ['rescind'] }, row(change))).toBe('other_kind');
  });
});
