import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, fuzz, type Tally } from '../harness/fuzz-budget';
import { forgedSlackRequest, signedSlackRequest } from '../harness/fuzz-api';
import { expectNoServerError, expectUnchanged, refusedBatch } from '../harness/fuzz-checks';
import { describeRequest, send } from '../harness/fuzz-http';
import { startFuzzWorld, type FuzzWorld } from '../harness/fuzz-world';

/**
 * POST /slack/events under fuzzing: whatever Slack did not sign is refused with 401 and leaves
 * nothing; what it signed is acknowledged or refused, never a 5xx, and decides nothing (no
 * approval is pending: a click is at most recorded as a refused one).
 */
let world: FuzzWorld;

beforeAll(async () => {
  world = await startFuzzWorld();
});

afterAll(async () => {
  await world?.close();
});

describe('Slack interactivity under fuzzing', () => {
  it('http.slack.forged: an interaction without Slack\'s signature is refused with 401 and leaves nothing', async () => {
    const tally: Tally = new Map();
    // Bolt checks its own token (auth.test) in the background; any other call would be a click handled.
    const handled = () => world.slack.calls().filter((c) => c.method !== 'auth.test').map((c) => c.method);
    const slackCalls = handled();
    await refusedBatch(world, () =>
      fuzz(
        'http.slack.forged',
        fc.asyncProperty(forgedSlackRequest, async (req) => {
          const before = await world.snapshot();
          const res = await send(world.engine.url, req);
          count(tally, String(res.status));
          expectNoServerError(req, res);
          expect(res.status, `${describeRequest(req)}\n-> ${res.status} ${res.text}`).toBe(401);
          expectUnchanged(req, res, before, await world.snapshot());
        }),
        { tally },
      ),
    );
    expect(handled(), 'a forged click reached Slack').toEqual(slackCalls);
  });

  it('http.slack.signed: a signed interaction is answered without a 5xx and decides nothing', async () => {
    const tally: Tally = new Map();
    const before = await world.snapshot();
    await fuzz(
      'http.slack.signed',
      fc.asyncProperty(signedSlackRequest, async (req) => {
        const res = await send(world.engine.url, req);
        count(tally, String(res.status));
        expectNoServerError(req, res);
        expect([200, 400, 401, 404], `${describeRequest(req)}\n-> ${res.status} ${res.text}`).toContain(res.status);
      }),
      { tally },
    );
    await world.expectHealthy();
    // Clicks are handled after the acknowledgement: let them settle, then only refusals were recorded.
    await vi.waitFor(async () => {
      const after = await world.snapshot();
      expect({ ...after, evidence: 0 }).toEqual({ ...before, evidence: 0 });
      const { rows } = await world.engine.db.query<{ action: string; outcome: string }>('SELECT DISTINCT action, outcome FROM evidence_events');
      expect(rows.every((r) => r.action === 'approval.refused' && r.outcome === 'failure'), JSON.stringify(rows)).toBe(true);
    }, { timeout: 10_000, interval: 200 });
  });
});
