import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../src/approvals/store';
import type { ApprovalRequest } from '../../src/approvals/types';
import type { Database } from '../../src/db/database';
import { openTestDatabase } from '../harness/db';

let db: Database;
let store: ApprovalStore;

beforeEach(async () => {
  db = await openTestDatabase('approvals');
  store = new ApprovalStore(db);
});

afterEach(async () => {
  await db.close();
});

function request(n: number, extra: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    approvalId: `joiner-bamboohr-${n}-ev1:aws:group:prod-admin`,
    workflowId: `joiner-bamboohr-${n}-ev1`,
    employeeId: String(n),
    hrSource: 'bamboohr',
    system: 'aws',
    entitlement: 'group:prod-admin',
    rules: ['rules[1]', 'rules[3]'],
    approvers: [{ slackId: 'U0MGR', email: 'mia.manager@acme.test', role: 'manager' }],
    requestedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, n)).toISOString(),
    expiresAt: new Date(Date.UTC(2026, 0, 8, 9, 0, n)).toISOString(),
    ...extra,
  };
}

describe('ApprovalStore', () => {
  it('stores a request as pending and reads it back unchanged', async () => {
    const asked = request(1);
    const stored = await store.request(asked);
    expect(stored).toEqual({ ...asked, status: 'pending' });
    expect(await store.get(asked.approvalId)).toEqual(stored);
    expect(await store.get('no-such-approval')).toBeUndefined();
  });

  it('knows no approval by an ID Postgres could not hold (a NUL, as a request may send it)', async () => {
    expect(await store.get('joiner-bamboohr-1\u0000')).toBeUndefined();
  });

  it('reads an approval nobody was asked in Slack for with no approvers', async () => {
    const { approvers: _asked, ...apiOnly } = request(2);
    expect((await store.request(apiOnly)).approvers).toEqual([]);
  });

  it('normalises timestamps to millisecond ISO UTC', async () => {
    const stored = await store.request(request(1, { requestedAt: '2026-01-05T11:00:00.123456+02:00', expiresAt: '2026-01-08T09:00:00Z' }));
    expect(stored.requestedAt).toBe('2026-01-05T09:00:00.123Z');
    expect(stored.expiresAt).toBe('2026-01-08T09:00:00.000Z');
  });

  it('is idempotent on approvalId: a second request returns the stored row unchanged', async () => {
    const first = await store.request(request(1));
    const again = await store.request(
      request(1, { entitlement: 'group:other', rules: ['rules[9]'], requestedAt: '2026-02-01T00:00:00.000Z', expiresAt: '2026-02-04T00:00:00.000Z' }),
    );
    expect(again).toEqual(first);
    expect(await store.pending()).toHaveLength(1);

    await store.decide(first.approvalId, { status: 'approved', decidedBy: 'U123', decidedAt: '2026-01-05T10:00:00.000Z' });
    const afterDecision = await store.request(request(1));
    expect(afterDecision.status).toBe('approved');
    expect(afterDecision.decidedBy).toBe('U123');
  });

  it('lists pending approvals oldest first, without decided ones', async () => {
    await store.request(request(3));
    await store.request(request(1));
    await store.request(request(2));
    await store.request(request(4));
    await store.decide(request(2).approvalId, { status: 'rejected', decidedBy: 'api:admin', reason: 'no', decidedAt: '2026-01-06T00:00:00.000Z' });
    expect((await store.pending()).map((a) => a.employeeId)).toEqual(['1', '3', '4']);
  });

  it('decides only from pending: the first decision wins, a second returns undefined and changes nothing', async () => {
    const { approvalId } = await store.request(request(1));
    const approved = await store.decide(approvalId, {
      status: 'approved',
      decidedBy: 'api:admin',
      reason: 'manager on leave; approved by IT',
      decidedAt: '2026-01-05T10:00:00.500+01:00',
    });
    expect(approved).toEqual({
      ...request(1),
      status: 'approved',
      decidedBy: 'api:admin',
      decidedAt: '2026-01-05T09:00:00.500Z',
      reason: 'manager on leave; approved by IT',
    });

    const second = await store.decide(approvalId, { status: 'rejected', decidedBy: 'U999', reason: 'late', decidedAt: '2026-01-05T11:00:00.000Z' });
    expect(second).toBeUndefined();
    expect(await store.get(approvalId)).toEqual(approved);
  });

  it('records an expiry, which no later decision overrides', async () => {
    const { approvalId } = await store.request(request(1));
    const expired = await store.decide(approvalId, { status: 'expired', decidedBy: 'engine', decidedAt: '2026-01-08T09:00:01.000Z' });
    expect(expired).toMatchObject({ status: 'expired', decidedBy: 'engine', decidedAt: '2026-01-08T09:00:01.000Z' });
    expect(expired).not.toHaveProperty('reason');
    expect(await store.decide(approvalId, { status: 'approved', decidedBy: 'api:admin', decidedAt: '2026-01-08T09:00:02.000Z' })).toBeUndefined();
    expect((await store.get(approvalId))?.status).toBe('expired');
    expect(await store.pending()).toEqual([]);
  });

  it('returns undefined when deciding an unknown approval', async () => {
    expect(await store.decide('nope', { status: 'approved', decidedBy: 'api:admin', decidedAt: '2026-01-05T10:00:00.000Z' })).toBeUndefined();
  });

  it('refuses pending as a decision', async () => {
    const { approvalId } = await store.request(request(1));
    await expect(
      store.decide(approvalId, { status: 'pending' as 'approved', decidedBy: 'api:admin', decidedAt: '2026-01-05T10:00:00.000Z' }),
    ).rejects.toThrow(/approved, rejected, expired or cancelled/);
    expect((await store.get(approvalId))?.status).toBe('pending');
  });

  it('lets exactly one of many concurrent decisions through', async () => {
    const { approvalId } = await store.request(request(1));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.decide(approvalId, { status: i % 2 ? 'approved' : 'rejected', decidedBy: `U${i}`, reason: 'r', decidedAt: '2026-01-05T10:00:00.000Z' }),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(await store.get(approvalId)).toEqual(winners[0]);
  });

  it('the table refuses an unknown status and a decided row without a decider', async () => {
    const { approvalId } = await store.request(request(1));
    await expect(db.query(`UPDATE approvals SET status = 'maybe' WHERE approval_id = $1`, [approvalId])).rejects.toThrow();
    await expect(db.query(`UPDATE approvals SET status = 'approved' WHERE approval_id = $1`, [approvalId])).rejects.toThrow();
    expect((await store.get(approvalId))?.status).toBe('pending');
  });
});
