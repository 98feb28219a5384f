import { describe, expect, it } from 'vitest';
import { csvCell, offboardingColumns, offboardingCsv } from '../../../src/reports/csv';
import { buildOffboardingReport, leaverRunsInWindow, nearestRank } from '../../../src/reports/offboarding';
import { parseReportWindow, ReportError } from '../../../src/reports/report-cli';
import { event, leaver, t } from '../../harness/leaver-evidence';

const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-06-01T00:00:00.000Z', asOf: t(100_000) };

describe('nearestRank', () => {
  it('takes the ceil(p*n)-th smallest', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(values, 50)).toBe(5);
    expect(nearestRank(values, 95)).toBe(10);
    expect(nearestRank(values, 90)).toBe(9);
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([15, 20, 35, 40, 50], 30)).toBe(20);
  });
});

describe('buildOffboardingReport', () => {
  it('starts the clock at the later of effective time and receipt', () => {
    const late = leaver({ id: 'late-hr', effective: 0, received: 3600, killedAfter: 30, revokedAfter: 300 });
    const future = leaver({ id: 'future', effective: 7200, received: 0, killedAfter: 45, revokedAfter: 400 });
    const report = buildOffboardingReport([...late, ...future], window);
    const byId = Object.fromEntries(report.leavers.map((l) => [l.employeeId, l]));
    expect(byId['late-hr']).toMatchObject({ secondsToSessionsKilled: 30, secondsToFullRevoke: 300, withinSla: true });
    expect(byId['future']).toMatchObject({ secondsToSessionsKilled: 45, secondsToFullRevoke: 400, withinSla: true });
    expect(byId['late-hr']?.terminationEffectiveAt).toBe(t(0));
    expect(byId['late-hr']?.hrEventReceivedAt).toBe(t(3600));
  });

  it('decides withinSla on the boundary, past deadline, and while pending', () => {
    const events = [
      ...leaver({ id: 'exact', killedAfter: 60, revokedAfter: 100 }),
      ...leaver({ id: 'over', killedAfter: 60.001, revokedAfter: 100 }),
      ...leaver({ id: 'stuck', effective: 0 }),
      ...leaver({ id: 'pending', effective: 99_990 }),
    ];
    const report = buildOffboardingReport(events, window);
    const byId = Object.fromEntries(report.leavers.map((l) => [l.employeeId, l]));
    expect(byId['exact']?.withinSla).toBe(true);
    expect(byId['over']?.withinSla).toBe(false);
    expect(byId['over']?.secondsToSessionsKilled).toBe(60.001);
    expect(byId['stuck']).toMatchObject({ withinSla: false, sessionsKilledAt: null, accessRevokedAt: null });
    expect(byId['stuck']?.exceptions).toContain('sessions not killed within 60s (no breach event recorded)');
    expect(byId['pending']).toMatchObject({ withinSla: null, sessionsKilledAt: null });
    expect(report.summary).toMatchObject({ count: 4, open: 2, withinSlaShare: 0.3333 });
  });

  it('computes nearest-rank percentiles over killed leavers only', () => {
    const events = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].flatMap((s, i) =>
      leaver({ id: `p${i}`, killedAfter: s, revokedAfter: s + 10, sla: 75 }),
    );
    events.push(...leaver({ id: 'open', effective: 99_999 }));
    const report = buildOffboardingReport(events, window);
    expect(report.summary).toEqual({
      count: 11,
      withinSlaShare: 0.7,
      p50Seconds: 50,
      p95Seconds: 100,
      maxSeconds: 100,
      open: 1,
      held: 0,
      aborted: 0,
      rescinded: 0,
    });
  });

  it('counts a termination rescinded before it took effect apart from the leavers', () => {
    const kept = leaver({ id: 'kept', killedAfter: 5, revokedAfter: 20, sla: 60 });
    const withdrawn = leaver({ id: 'withdrawn', effective: 3600 });
    withdrawn.push(event('leaver.rescinded', t(60), { workflowId: 'leaver-withdrawn' }));
    const report = buildOffboardingReport([...kept, ...withdrawn], window);
    expect(report.leavers.map((l) => l.employeeId)).toHaveLength(1);
    expect(report.summary).toMatchObject({ count: 1, open: 0, rescinded: 1, withinSlaShare: 1 });
  });

  it('keeps only leavers whose termination took effect in [from, to)', () => {
    const before = leaver({ id: 'before', effective: -10 * 86_400 * 30, killedAfter: 1, revokedAfter: 2 });
    const atEnd = leaver({ id: 'at-end', effective: 22 * 86_400 - 9 * 3600, killedAfter: 1, revokedAfter: 2 });
    const inside = leaver({ id: 'inside', killedAfter: 1, revokedAfter: 2 });
    const events = [...before, ...atEnd, ...inside];
    expect(t(22 * 86_400 - 9 * 3600)).toBe('2024-06-01T00:00:00.000Z');
    const report = buildOffboardingReport(events, window);
    expect(report.leavers.map((l) => l.employeeId)).toEqual(['inside']);
    expect(leaverRunsInWindow(events, window)).toEqual(['leaver-inside']);
    expect(Object.keys(report)).toEqual(['from', 'to', 'summary', 'leavers']);
    expect(Object.keys(report.leavers[0]!)).toEqual([...offboardingColumns]);
  });

  it('reports per-system timings, exceptions and approvals', () => {
    const events = leaver({ id: 'x', killedAfter: 5 });
    const ctx = { workflowId: 'leaver-x' };
    events.push(event('account.disable', t(8), { ...ctx, reason: 'HTTP 503' }, { system: 'github', outcome: 'failure', employeeId: 'x' }));
    events.push(event('account.disable', t(9), ctx, { system: 'okta', employeeId: 'x' }));
    events.push(
      event('entitlement.revoke', t(10), { ...ctx, approval: { approver: 'U1', decision: 'approved' } }, {
        system: 'okta',
        entitlement: 'group:prod-admin',
        outcome: 'skipped',
        employeeId: 'x',
      }),
    );
    events.push(event('leaver.sla_breach', t(1000), { ...ctx, reason: 'full revoke over 900s' }, { outcome: 'sla_breach', employeeId: 'x' }));
    const [row] = buildOffboardingReport(events, window).leavers;
    expect(row?.systems).toEqual({
      github: { sessionsKilledAt: null, disabledAt: null, outcome: 'failed' },
      okta: { sessionsKilledAt: t(5), disabledAt: t(9), outcome: 'killed' },
    });
    expect(row?.exceptions).toEqual([
      'sessions.kill github: skipped',
      'account.disable github: failure (HTTP 503)',
      'entitlement.revoke okta group:prod-admin: skipped',
      'sla_breach (full revoke over 900s)',
      'access not fully revoked within 900s',
    ]);
    expect(row?.approvals).toEqual([{ approver: 'U1', decision: 'approved' }]);
  });

  it('counts a later success over an earlier failure', () => {
    // Written first, so it has the lower seq.
    const failed = event('sessions.kill', t(2), { workflowId: 'leaver-r' }, { system: 'okta', outcome: 'failure', employeeId: 'r' });
    const events = [failed, ...leaver({ id: 'r', killedAfter: 5, revokedAfter: 20 })];
    const [row] = buildOffboardingReport(events, window).leavers;
    expect(row?.systems['okta']?.outcome).toBe('killed');
    expect(row?.exceptions).toContain('sessions.kill okta: failure');
  });
});

describe('per-system pipelines', () => {
  it('says how each system ended its sessions, and takes the last system as the leaver\'s moment', () => {
    const events = leaver({ id: 'p' });
    const ctx = { workflowId: 'leaver-p' };
    events.push(event('sessions.kill', t(4), ctx, { system: 'okta', employeeId: 'p' }));
    // No session call: disabling ended SCIM's sessions, 70 s in (its system was down a while).
    events.push(event('account.disable', t(2), { ...ctx, reason: 'unavailable: 503' }, { system: 'aws', outcome: 'failure', employeeId: 'p' }));
    events.push(event('account.disable', t(70), ctx, { system: 'aws', employeeId: 'p' }));
    events.push(event('account.disable', t(5), { ...ctx, reason: 'no account in this system' }, { system: 'github', outcome: 'not_found', employeeId: 'p' }));
    events.push(event('leaver.sla_breach', t(60), ctx, { outcome: 'sla_breach', employeeId: 'p' }));
    events.push(event('leaver.sessions_killed', t(71), { ...ctx, sessionsKilledAt: t(70) }, { employeeId: 'p' }));
    const [row] = buildOffboardingReport(events, window).leavers;
    expect(row?.systems).toEqual({
      aws: { sessionsKilledAt: t(70), disabledAt: t(70), outcome: 'disabled' },
      github: { sessionsKilledAt: t(5), disabledAt: null, outcome: 'not_found' },
      okta: { sessionsKilledAt: t(4), disabledAt: null, outcome: 'killed' },
    });
    expect(row).toMatchObject({ sessionsKilledAt: t(70), secondsToSessionsKilled: 70, withinSla: false });
  });

  it('counts a system whose step is still failing, or whose account cannot be looked for, as failed', () => {
    const events = leaver({ id: 'f' });
    const ctx = { workflowId: 'leaver-f' };
    events.push(event('sessions.kill', t(1), ctx, { system: 'okta', employeeId: 'f' }));
    events.push(event('entitlements.revoke_all', t(3), { ...ctx, reason: 'unavailable' }, { system: 'okta', outcome: 'failure', employeeId: 'f' }));
    events.push(event('account.disable', t(1), { ...ctx, reason: 'HR record has no work email to match accounts by' }, { system: 'github', outcome: 'skipped', employeeId: 'f' }));
    const [row] = buildOffboardingReport(events, window).leavers;
    expect(row?.systems.okta).toMatchObject({ outcome: 'failed', sessionsKilledAt: t(1) });
    expect(row?.systems.github).toMatchObject({ outcome: 'failed', sessionsKilledAt: null });
  });

  it('takes sessionsKilledAt from the systems while the leaver has not written its milestone yet', () => {
    const events = leaver({ id: 'm' });
    const ctx = { workflowId: 'leaver-m' };
    events.push(event('sessions.kill', t(3), ctx, { system: 'okta', employeeId: 'm' }));
    const [open] = buildOffboardingReport(events, window).leavers;
    expect(open?.sessionsKilledAt).toBeNull(); // github has not ended its sessions
    events.push(event('account.disable', t(5), ctx, { system: 'github', employeeId: 'm' }));
    const [ended] = buildOffboardingReport(events, window).leavers;
    expect(ended).toMatchObject({ sessionsKilledAt: t(5), secondsToSessionsKilled: 5, withinSla: true, accessRevokedAt: null });
  });

  it('takes the clock from a termination that brought the leaver forward', () => {
    const events = leaver({ id: 'moved', effective: 7 * 86_400 });
    events.push(
      event('leaver.rescheduled', t(100), { workflowId: 'leaver-moved', terminationEffectiveAt: t(90), hrEventReceivedAt: t(100) }, { employeeId: 'moved' }),
      event('sessions.kill', t(103), { workflowId: 'leaver-moved' }, { system: 'okta', employeeId: 'moved' }),
      event('leaver.sessions_killed', t(103), { workflowId: 'leaver-moved', sessionsKilledAt: t(103) }, { employeeId: 'moved' }),
    );
    const [row] = buildOffboardingReport(events, window).leavers;
    expect(row).toMatchObject({ terminationEffectiveAt: t(90), hrEventReceivedAt: t(100), secondsToSessionsKilled: 3, withinSla: true });
    // Picked by the moved date: a window ending before the original date still finds it.
    const narrow = { from: t(0), to: t(3600) };
    expect(leaverRunsInWindow(events, narrow)).toEqual(['leaver-moved']);
    expect(leaverRunsInWindow(events.filter((e) => e.action !== 'leaver.rescheduled'), narrow)).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(false)).toBe('false');
  });

  it('neutralises formula injection', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
  });

  it('renders a header and one line per leaver', () => {
    const events = leaver({ id: '=cmd|calc', killedAfter: 5, revokedAfter: 20 });
    const csv = offboardingCsv(buildOffboardingReport(events, window));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(offboardingColumns.join(','));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[1]).toMatch(/^'=cmd\|calc,bamboohr,2024-05-10T09:00:00.000Z,/);
    expect(lines[1]).toContain(',5,20,60,true,');
    // github has no session call (its kill was skipped): its sessions ended when it was disabled.
    expect(lines[1]).toContain(`github=disabled killed@${t(20)} disabled@${t(20)}; okta=killed killed@${t(5)} disabled@${t(20)}`);
    expect(lines[1]).toContain('sessions.kill github: skipped');
  });
});

describe('parseReportWindow', () => {
  it('makes a plain-date to inclusive of that day', () => {
    expect(parseReportWindow('2024-05-01', '2024-05-31')).toEqual({
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-06-01T00:00:00.000Z',
    });
  });

  it('uses timestamps as given', () => {
    expect(parseReportWindow('2024-05-01T10:00:00+02:00', '2024-05-02T00:00:00Z')).toEqual({
      from: '2024-05-01T08:00:00.000Z',
      to: '2024-05-02T00:00:00.000Z',
    });
  });

  it('refuses bad dates and empty ranges', () => {
    expect(() => parseReportWindow('2024-02-30', '2024-03-01')).toThrow(ReportError);
    expect(() => parseReportWindow('May 1', '2024-03-01')).toThrow(/YYYY-MM-DD/);
    expect(() => parseReportWindow('2024-05-02', '2024-05-01')).toThrow(/before/);
  });
});
