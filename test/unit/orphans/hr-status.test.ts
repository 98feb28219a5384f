import { describe, expect, it } from 'vitest';
import type { LifecycleKind } from '../../../src/hris/hr-event';
import { applyHrEvent, verdictFor, type HrLifecycleRow, type WorkerHr } from '../../../src/orphans/hr-status';

const timing = { cutoffLocalTime: '18:00', defaultTimeZone: 'UTC' };
const now = Date.parse('2026-06-15T12:00:00Z');
const grace = 15 * 60_000;

function workerAfter(events: [LifecycleKind, Partial<HrLifecycleRow>?][]): WorkerHr {
  const worker: WorkerHr = { source: 'bamboohr', employeeId: '1', employment: 'none' };
  for (const [kind, extra] of events) applyHrEvent(worker, { source: 'bamboohr', employeeId: '1', kind, receivedAt: '2026-06-01T09:00:00Z', immediate: false, ...extra }, timing);
  return worker;
}
const judge = (worker: WorkerHr | undefined, account = { status: 'active', login: 'Pat@Acme.test' }) =>
  verdictFor(account, (email) => (email === 'pat@acme.test' ? worker : undefined), now, grace);

describe('HR status of a worker, from the events the engine received', () => {
  it.each<[string, [LifecycleKind, Partial<HrLifecycleRow>?][], string, string?]>([
    ['hired', [['hire']], 'owner_active'],
    ['known only from a change', [['change']], 'owner_active'],
    ['terminated, in effect', [['hire'], ['terminate', { effectiveDate: '2026-06-10' }]], 'orphan', 'terminated'],
    ['terminated immediately', [['hire'], ['terminate', { immediate: true }]], 'orphan', 'terminated'],
    ['terminated, takes effect next month (still working)', [['hire'], ['terminate', { effectiveDate: '2026-07-31' }]], 'owner_active'],
    ['terminated, took effect minutes ago (the leaver is within its SLA)', [['hire'], ['terminate', { immediate: true, receivedAt: '2026-06-15T11:55:00Z' }]], 'owner_active'],
    ['termination rescinded', [['hire'], ['terminate', { effectiveDate: '2026-06-10' }], ['rescind']], 'owner_active'],
    ['a change to a leaver’s record does not bring them back', [['hire'], ['terminate', { effectiveDate: '2026-06-10' }], ['change']], 'orphan', 'terminated'],
    ['rehired', [['hire'], ['terminate', { immediate: true }], ['rehire']], 'owner_active'],
    ['rehire rescinded: left again', [['hire'], ['terminate', { immediate: true }], ['rehire'], ['rescind']], 'orphan', 'terminated'],
    ['hire withdrawn', [['hire'], ['rescind']], 'orphan', 'rescinded'],
    ['a rescind as HR’s first word', [['rescind']], 'orphan', 'rescinded'],
  ])('%s', (_name, events, kind, hrStatus) => {
    const verdict = judge(workerAfter(events));
    expect(verdict.kind).toBe(kind);
    if (hrStatus) expect(verdict).toMatchObject({ hrStatus, source: 'bamboohr', employeeId: '1' });
  });

  it('a termination is orphaned since it took effect: the cutoff time on its date, in the worker’s zone', () => {
    const verdict = judge(workerAfter([['hire'], ['terminate', { effectiveDate: '2026-06-10', timeZone: 'Europe/London' }]]));
    expect(verdict).toMatchObject({ kind: 'orphan', reason: 'left', orphanedSince: Date.parse('2026-06-10T17:00:00Z') });
  });

  it('an account HR never named is unknown to HR; one that is not active is no orphan', () => {
    expect(judge(undefined)).toEqual({ kind: 'orphan', hrStatus: 'unknown', reason: 'unknown_to_hr' });
    const left = workerAfter([['hire'], ['terminate', { immediate: true }]]);
    expect(judge(left, { status: 'suspended', login: 'pat@acme.test' })).toEqual({ kind: 'inactive' });
    expect(judge(left, { status: 'disabled', login: 'pat@acme.test' })).toEqual({ kind: 'inactive' });
  });

  it('matches by login, then by the account’s email', () => {
    const left = workerAfter([['hire'], ['terminate', { immediate: true }]]);
    const verdict = verdictFor({ status: 'active', login: 'pat', email: ' PAT@acme.test ' }, (e) => (e === 'pat@acme.test' ? left : undefined), now, grace);
    expect(verdict).toMatchObject({ kind: 'orphan', reason: 'left' });
  });
});
