import { describe, expect, it } from 'vitest';
import { entitlementInScope, reviewCron, reviewsSchema } from '../../../src/reviews/config';
import { dayCampaignId, quarterCampaignId, reviewerWorkflowId } from '../../../src/reviews/ids';
import { parseScope, ScopeError } from '../../../src/reviews/start';
import { workersInScope } from '../../../activities/reviews';
import type { HrView } from '../../../src/orphans/hr-view';
import type { WorkerHr } from '../../../src/orphans/hr-status';

describe('a review campaign\'s scope', () => {
  it('parses --scope entries, repeated and comma-separated, and refuses anything else', () => {
    expect(parseScope(['system=okta,github', 'entitlement=group:*admin*', 'department=Engineering', 'system=aws'])).toEqual({
      systems: ['okta', 'github', 'aws'],
      entitlements: ['group:*admin*'],
      departments: ['Engineering'],
    });
    for (const bad of ['okta', 'team=x', 'system=', '=okta']) expect(() => parseScope([bad])).toThrow(ScopeError);
  });

  it('matches entitlement patterns as case-insensitive globs over kind:name', () => {
    expect(entitlementInScope('group:prod-admin', ['group:*admin*'])).toBe(true);
    expect(entitlementInScope('GROUP:Prod-Admin', ['group:*admin*'])).toBe(true);
    expect(entitlementInScope('team:admins', ['group:*admin*'])).toBe(false);
    expect(entitlementInScope('group:a.b', ['group:a?b'])).toBe(true);
    expect(entitlementInScope('group:aXXb', ['group:a.b'])).toBe(false);
    expect(entitlementInScope('anything', undefined)).toBe(true);
  });

  it('takes active workers only (a termination still in the future counts), in the departments named', () => {
    const now = Date.UTC(2027, 0, 10);
    const worker = (employeeId: string, employment: WorkerHr['employment'], department: string, since?: number): WorkerHr => ({
      source: 'bamboohr',
      employeeId,
      employment,
      ...(since !== undefined ? { since } : {}),
      attributes: { workEmail: `${employeeId}@acme.test`, department },
    });
    const all = [worker('1', 'active', 'Engineering'), worker('2', 'terminated', 'Engineering', now - 1), worker('3', 'terminated', 'engineering', now + 86_400_000), worker('4', 'active', 'Sales'), worker('5', 'rescinded', 'Sales')];
    const view = { all: () => all.values() } as unknown as HrView;
    expect(workersInScope(view, {}, now).map((w) => w.employeeId)).toEqual(['1', '3', '4']);
    expect(workersInScope(view, { departments: ['Engineering'] }, now).map((w) => w.employeeId)).toEqual(['1', '3']);
  });
});

describe('review names and schedule', () => {
  it('names a scheduled campaign for its quarter in the time zone, and a manual one for its day', () => {
    // 23:30 on Dec 31 in UTC is already Jan 1 in Tokyo.
    const at = new Date('2026-12-31T23:30:00Z');
    expect(quarterCampaignId(at, 'UTC')).toBe('review-2026-Q4');
    expect(quarterCampaignId(at, 'Asia/Tokyo')).toBe('review-2027-Q1');
    expect(dayCampaignId(at, 'UTC')).toBe('review-2026-12-31');
    expect(dayCampaignId(at, 'UTC', 2)).toBe('review-2026-12-31-2');
  });

  it('names reviewer workflows by a digest, never an HR identifier', () => {
    const id = reviewerWorkflowId('review-2027-Q1', 'manager:bamboohr:1017');
    expect(id).toMatch(/^review-2027-Q1-reviewer-[0-9a-f]{12}$/);
    expect(id).not.toContain('1017');
  });

  it('reads reviews.schedule: quarterly, a cron expression, or off; the defaults are DESIGN\'s', () => {
    const d = reviewsSchema.parse({});
    expect(d).toMatchObject({ schedule: 'quarterly', timeZone: 'UTC', dueAfter: 14 * 86_400_000, remindEvery: 3 * 86_400_000, escalateAfter: 7 * 86_400_000, fallbackReviewers: [] });
    expect(reviewCron('quarterly')).toBe('0 0 1 1,4,7,10 *');
    expect(reviewCron('off')).toBeUndefined();
    expect(reviewCron(reviewsSchema.parse({ schedule: '0 6 1 * *' }).schedule)).toBe('0 6 1 * *');
    expect(reviewsSchema.safeParse({ schedule: 'monthly' }).success).toBe(false);
    expect(reviewsSchema.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(reviewsSchema.safeParse({ fallbackReviewers: ['alice@acme.test'] }).success).toBe(false);
  });
});
