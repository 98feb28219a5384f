import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../../../src/reviews/types';
import { parseReviewButtonValue, reviewButtonValue } from '../../../src/slack/ids';
import { reviewItemsPerMessage, reviewMessage } from '../../../src/slack/review-messages';

const item = (n: number, extra: Partial<ReviewItem> = {}): ReviewItem => ({
  campaignId: 'review-2027-Q1',
  itemId: n.toString(16).padStart(20, '0'),
  hrSource: 'bamboohr',
  employeeId: '1003',
  system: 'okta',
  accountId: '00u1',
  entitlement: `group:g${n}`,
  basis: n % 2 === 0 ? 'policy' : 'hand',
  rules: n % 2 === 0 ? ['birthright'] : [],
  reviewer: 'manager:bamboohr:1001',
  status: 'pending',
  ...extra,
});

const input = (items: ReviewItem[]) => ({ campaignId: 'review-2027-Q1', dueAt: '2027-01-15T00:00:00.000Z', worker: { employeeId: '1003', hrSource: 'bamboohr', name: 'Chloe <Ferris> & co' }, items, page: 1, pages: 2, role: 'manager' as const });

describe('the review message', () => {
  it('fits a full page in Slack\'s fifty blocks: each item a line and Keep / Revoke, then Keep all', () => {
    const message = reviewMessage(input(Array.from({ length: reviewItemsPerMessage }, (_, i) => item(i))));
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const actions = message.blocks.filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(reviewItemsPerMessage + 1);
    expect(JSON.stringify(message.blocks)).toContain('Keep all 20 on this page');
    expect(message.text).toContain('(page 1 of 2)');
  });

  it('escapes the worker\'s name, marks policy grants, and shows who decided instead of buttons', () => {
    const message = reviewMessage(input([item(2), item(3, { status: 'revoked', decidedBy: 'U0MGR', decidedAt: '2027-01-05T10:00:00.000Z', reason: 'left the team', revokeOutcome: 'success' }), item(5, { status: 'kept', decidedBy: 'api:admin', decidedAt: '2027-01-05T10:00:00.000Z' })]));
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Chloe &lt;Ferris&gt; &amp; co');
    expect(text).toContain('given by policy (birthright)');
    expect(text).toContain('Revoke (policy gives it)');
    expect(text).toContain('❌ Revoked by <@U0MGR>');
    expect(text).toContain('removed — left the team');
    expect(text).toContain('✅ Kept by api:admin');
    // One pending item: its buttons, and no Keep all.
    expect(message.blocks.filter((b) => b.type === 'actions')).toHaveLength(1);
  });

  it('carries campaign and item IDs in its buttons, and reads back only well-formed ones', () => {
    const value = reviewButtonValue('review-2027-Q1', [item(1).itemId, item(2).itemId]);
    expect(parseReviewButtonValue(value)).toEqual({ campaignId: 'review-2027-Q1', itemIds: [item(1).itemId, item(2).itemId] });
    expect(parseReviewButtonValue('review-2027-Q1|not-an-id')).toBeUndefined();
    expect(parseReviewButtonValue('no-bar')).toBeUndefined();
  });
});
