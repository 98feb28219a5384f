import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { quarterCampaignId } from '../../src/reviews/ids';
import { ReviewStore } from '../../src/reviews/store';
import { reviewScheduleId } from '../../src/temporal/review-schedule';
import { startEngineOnTargets } from '../harness/engine-on-targets';
import type { TestEngine } from '../harness/test-engine';

/** The reviews schedule on the real dev server: quarterly in reviews.timeZone, each firing opening the quarter's campaign once. */
let engine: TestEngine;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ engine, close } = await startEngineOnTargets({ yaml: 'reviews: { timeZone: Europe/London, dueAfter: 3s }\n' }));
}, 60_000);

afterAll(async () => {
  await close?.();
});

describe('the access-review schedule', () => {
  it('is quarterly (00:00 on Jan 1, Apr 1, Jul 1, Oct 1) in reviews.timeZone', async () => {
    const schedule = await engine.client.schedule.getHandle(reviewScheduleId(engine.taskQueue)).describe();
    expect(schedule.spec.timezone).toBe('Europe/London');
    expect(schedule.spec.calendars?.[0]).toMatchObject({ minute: [{ start: 0, end: 0, step: 1 }], hour: [{ start: 0, end: 0, step: 1 }], dayOfMonth: [{ start: 1, end: 1, step: 1 }] });
    expect(schedule.spec.calendars?.[0]?.month?.map((m) => m.start)).toEqual(['JANUARY', 'APRIL', 'JULY', 'OCTOBER']);
    const next = schedule.info.nextActionTimes[0]!;
    expect([0, 3, 6, 9]).toContain(Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', month: 'numeric' }).format(next)) - 1);
  });

  it("a firing opens the quarter's campaign under its readable ID; a second firing opens nothing new", { timeout: 60_000 }, async () => {
    const handle = engine.client.schedule.getHandle(reviewScheduleId(engine.taskQueue));
    const campaignId = quarterCampaignId(new Date(), 'Europe/London');
    expect(campaignId).toMatch(/^review-\d{4}-Q[1-4]$/);
    await handle.trigger();
    const store = new ReviewStore(engine.db);
    await vi.waitFor(async () => expect(await store.campaign(campaignId)).toBeDefined(), { timeout: 20_000, interval: 200 });
    await handle.trigger();
    await vi.waitFor(async () => expect((await handle.describe()).info.recentActions.length).toBe(2), { timeout: 20_000, interval: 200 });
    // Two firings within a second share a workflow ID: each is read by its own run.
    const runs = (await handle.describe()).info.recentActions.map((a) => a.action.workflow);
    const results = await Promise.all(runs.map((w) => engine.client.workflow.getHandle(w.workflowId, w.firstExecutionRunId).result() as Promise<{ campaignId: string; started: boolean }>));
    expect(results.map((r) => r.campaignId)).toEqual([campaignId, campaignId]);
    expect(results.map((r) => r.started).sort()).toEqual([false, true]);
    expect(await store.campaigns()).toHaveLength(1);
  });
});
