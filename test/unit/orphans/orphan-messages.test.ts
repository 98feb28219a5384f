import { describe, expect, it } from 'vitest';
import { orphansFoundMessage, type OrphanNotice } from '../../../src/slack/messages';

const notice = (i: number): OrphanNotice => ({
  system: 'okta',
  accountId: `00u${i}`,
  hrStatus: i % 2 ? 'terminated' : 'unknown',
  reason: i % 2 ? 'left' : 'unknown_to_hr',
  orphanedSince: '2026-11-01T18:00:00.000Z',
  ...(i % 2 ? { hrSource: 'bamboohr', employeeId: String(1000 + i) } : {}),
});

describe('security-channel message for new orphans', () => {
  it('lists each new orphan by system and account ID, with why and since when', () => {
    const m = orphansFoundMessage({
      runId: 'orphans-jml-2026-12-02T00:00:00Z',
      newOrphans: [notice(1), notice(2)],
      newCount: 2,
      systems: [{ system: 'okta', status: 'succeeded', accounts: 10, orphans: 2 }],
    });
    expect(m.text).toContain('2 new orphan accounts.');
    const body = JSON.stringify(m.blocks);
    expect(body).toContain('`00u1`: owner has left, HR status `terminated`');
    expect(body).toContain('employee `1001` (bamboohr)');
    expect(body).toContain('`00u2`: HR has no worker with this email');
    expect(body).toContain('*okta*: 10 account(s) listed, 2 orphan(s) open');
  });

  it('cuts a long list short and points at the report; names a system whose listing failed', () => {
    const many = Array.from({ length: 80 }, (_, i) => notice(i));
    const m = orphansFoundMessage({
      runId: 'r',
      newOrphans: many,
      newCount: 1200,
      systems: [
        { system: 'okta', status: 'succeeded', accounts: 100_000, orphans: 1200 },
        { system: 'aws', status: 'failed', accounts: 0, orphans: 0, error: 'unavailable: aws: GET /scim/v2/Users answered 503' },
      ],
    });
    const body = JSON.stringify(m.blocks);
    expect(body).toContain('00u49');
    expect(body).not.toContain('00u50');
    expect(body).toContain('and 1150 more');
    expect(body).toContain('listing failed (unavailable: aws: GET /scim/v2/Users answered 503)');
    expect(m.text).toContain('Listing failed in aws.');
  });

  it('says the run is incomplete when nothing is new but a listing failed', () => {
    const m = orphansFoundMessage({ runId: 'r', newOrphans: [], newCount: 0, systems: [{ system: 'aws', status: 'failed', accounts: 0, orphans: 0, error: 'unauthorized: aws: 401' }] });
    expect(m.text).toMatch(/^⚠️ Orphan reconciliation incomplete\. Listing failed in aws\./);
  });
});
