import { describe, expect, it } from 'vitest';
import { accessChangeOf, digestText, startAdminDigest, type DigestMessage } from '../../../src/notifications/admin-digest';
import type { EvidenceInput } from '../../../src/evidence/types';

const event = (over: Partial<EvidenceInput>): EvidenceInput => ({
  stepKey: `k-${Math.random()}`,
  employeeId: '1003',
  hrSource: 'bamboohr',
  actorType: 'engine',
  actorId: 'jml-engine',
  action: 'account.disable',
  system: 'okta',
  occurredAt: '2026-12-03T10:00:00.000Z',
  outcome: 'success',
  context: {},
  ...over,
});

describe('access changes for the admin channel', () => {
  it('takes the changes that happened, and approvals as decided', () => {
    expect(accessChangeOf(event({}))?.kind).toBe('account disabled');
    expect(accessChangeOf(event({ action: 'entitlement.grant', entitlement: 'group:x' }))?.kind).toBe('entitlement granted');
    expect(accessChangeOf(event({ outcome: 'failure' }))).toBeUndefined();
    expect(accessChangeOf(event({ outcome: 'not_found' }))).toBeUndefined();
    expect(accessChangeOf(event({ action: 'sessions.kill' }))).toBeUndefined();
    expect(accessChangeOf(event({ action: 'approval.decided', outcome: 'skipped', context: { decision: 'rejected' } }))?.kind).toBe('approval rejected');
    expect(accessChangeOf(event({ action: 'approval.decided', context: { decision: 'approved' } }))?.kind).toBe('approval approved');
    expect(accessChangeOf(event({ action: 'approval.expired', context: { decision: 'expired' } }))).toBeUndefined();
  });

  it('says how many of each, by system, and names the workers by ID (the first 25)', () => {
    const changes = [
      ...Array.from({ length: 3 }, (_, i) => ({ stepKey: `a${i}`, kind: 'account disabled' as const, system: i ? 'okta' : 'aws', worker: `bamboohr:${100 + i}` })),
      { stepKey: 'g', kind: 'entitlement revoked' as const, system: 'okta', worker: 'bamboohr:100' },
      { stepKey: 'p', kind: 'approval approved' as const, worker: 'workday:21001' },
    ];
    const text = digestText(changes, { from: new Date('2026-12-03T10:00:10Z'), to: new Date('2026-12-03T10:01:10Z') }, 'worker 7@w1', 2);
    expect(text).toBe(
      [
        'Access changes 10:00–10:01 UTC (worker 7@w1): 5',
        '• 1 approval approved',
        '• 3 accounts disabled (aws 1, okta 2)',
        '• 1 entitlement revoked (okta 1)',
        'Workers: bamboohr:100, bamboohr:101 and 2 more',
      ].join('\n'),
    );
  });

  it('posts once per interval, counts a retried step once, and keeps what it could not post for the next message', async () => {
    const posted: DigestMessage[] = [];
    let failing = true;
    const digest = startAdminDigest({
      everyMs: 3_600_000,
      source: 'worker 1@w',
      post: async (m) => {
        if (failing) throw new Error('slack down');
        posted.push(m);
      },
    });
    const change = accessChangeOf(event({ stepKey: 'same' }))!;
    digest.add(change);
    digest.add(change);
    digest.add(accessChangeOf(event({ stepKey: 'other', system: 'aws' }))!);
    await digest.flush();
    expect(posted).toEqual([]);
    failing = false;
    digest.add(accessChangeOf(event({ stepKey: 'third', action: 'entitlement.revoke' }))!);
    await digest.stop();
    expect(posted).toHaveLength(1);
    expect(posted[0]!.changes).toBe(3);
    expect(posted[0]!.text).toContain('• 2 accounts disabled (aws 1, okta 1)');
    await digest.flush();
    expect(posted).toHaveLength(1);
  });
});
