import { describe, expect, it } from 'vitest';
import { buildOffboardingReport } from '../../../src/reports/offboarding';
import type { EvidenceRecord } from '../../../src/evidence/types';

/** The report's rows for leavers a mass-termination hold held: never shown as completed when they are not. */
let seq = 0;
const t = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, 0) + s * 1000).toISOString();
function event(employeeId: string, action: string, at: number, context: Record<string, unknown>, extra: Partial<EvidenceRecord> = {}): EvidenceRecord {
  seq += 1;
  return {
    seq,
    stepKey: `k${seq}`,
    employeeId,
    hrSource: 'bamboohr',
    actorType: 'engine',
    actorId: 'jml-engine',
    action,
    occurredAt: t(at),
    recordedAt: t(at),
    outcome: 'success',
    context: { workflowId: `leaver-${employeeId}`, ...context },
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    ...extra,
  };
}

function heldLeaver(id: string, end?: 'released' | 'aborted'): EvidenceRecord[] {
  const events = [
    event(id, 'leaver.started', 0, { terminationEffectiveAt: t(0), hrEventReceivedAt: t(0), slaSeconds: 60, fullRevokeSlaSeconds: 900, systems: ['okta', 'aws'] }),
    event(id, 'sessions.kill', 2, {}, { system: 'okta' }),
    event(id, 'leaver.held', 3, { holdId: 'hold-bamboohr-1', sessionsHeld: ['aws'] }),
  ];
  if (end === 'aborted') {
    events.push(event(id, 'leaver.hold_aborted', 120, { holdId: 'hold-bamboohr-1', decidedBy: 'U1', decidedAt: t(119), reason: 'mass-termination hold hold-bamboohr-1 aborted: accounts left enabled' }, { outcome: 'skipped' }));
  }
  if (end === 'released') {
    events.push(
      event(id, 'leaver.hold_released', 120, { holdId: 'hold-bamboohr-1', decidedBy: 'api:admin', decidedAt: t(119) }),
      event(id, 'account.disable', 121, {}, { system: 'okta' }),
      event(id, 'account.disable', 121, {}, { system: 'aws' }),
      event(id, 'leaver.sessions_killed', 121, { sessionsKilledAt: t(121) }),
      event(id, 'leaver.completed', 122, {}),
    );
  }
  return events;
}

const window = { from: t(-3600), to: t(3600), asOf: t(600) };

describe('offboarding report: held leavers', () => {
  it('an undecided hold: open, the held system pending as held, and an exception saying why', () => {
    const report = buildOffboardingReport(heldLeaver('4591'), window);
    const row = report.leavers[0]!;
    expect(row.hold).toEqual({ holdId: 'hold-bamboohr-1', status: 'held' });
    expect(row.accessRevokedAt).toBeNull();
    expect(row.systems).toMatchObject({ okta: { outcome: 'killed' }, aws: { outcome: 'held', sessionsKilledAt: null } });
    expect(row.exceptions).toContain('held by mass-termination hold hold-bamboohr-1: disabling and revoking wait for a decision');
    expect(report.summary).toMatchObject({ count: 1, open: 1, held: 1, aborted: 0 });
  });

  it('an aborted hold: never completed, not open, and says so', () => {
    const report = buildOffboardingReport(heldLeaver('4592', 'aborted'), window);
    const row = report.leavers[0]!;
    expect(row).toMatchObject({ accessRevokedAt: null, hold: { status: 'aborted', decidedBy: 'U1', decidedAt: t(119) }, systems: { aws: { outcome: 'aborted' } } });
    expect(row.exceptions.some((e) => e.startsWith('leaver.hold_aborted: skipped'))).toBe(true);
    expect(row.exceptions.some((e) => e.startsWith('access not fully revoked'))).toBe(false);
    expect(report.summary).toMatchObject({ open: 0, held: 0, aborted: 1 });
  });

  it('a released hold: a leaver like any other, with the hold named', () => {
    const row = buildOffboardingReport(heldLeaver('4593', 'released'), window).leavers[0]!;
    expect(row.hold).toMatchObject({ status: 'released', decidedBy: 'api:admin' });
    expect(row.accessRevokedAt).toBe(t(122));
    expect(row.systems).toMatchObject({ okta: { outcome: 'killed' }, aws: { outcome: 'disabled' } });
    expect(row.withinSla).toBe(false);
  });
});
