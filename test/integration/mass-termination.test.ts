import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OffboardingReport } from '../../src/reports/offboarding';
import { releaseHoldActionId } from '../../src/slack/ids';
import type { LeaverResult } from '../../workflows/leaver';
import { actionsOf } from '../harness/actions';
import { accountsOf, decideViaApi, holdMessages, holdWith, numberHoldsFrom, terminate } from '../harness/mass-termination';
import { click, ephemeralsTo, evidenceOf, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import { auditorToken } from '../harness/test-engine';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * The mass-termination guard with a threshold of 2 per hour: the first two leavers run as any
 * leaver does (and cost the same Actions); the next ones end their sessions at once and wait for
 * one decision, released here by a click in the security channel. Employee IDs 450x.
 */
const lead: Person = { slackId: 'U45LEAD', email: 'sec.lead@acme.test', employeeId: '4599' };
const channel = '#sec-45';
const holdId = 'hold-bamboohr-4501';
let world: SlackWorld;
const leavers = new Map<string, string>();

beforeAll(async () => {
  world = await startSlackWorld({
    people: [lead],
    yaml: `
sla: { leaverSessionKill: 60s, securityChannel: "${channel}" }
approvals: { fallbackApprovers: [] }
leaver:
  massTermination: { threshold: 2, window: 1h, remindEvery: 0s, escalateAfter: 0s }
`,
  });
  await numberHoldsFrom(world, 4500);
});

afterAll(async () => {
  await world?.close();
});

async function leaverCost(employeeId: string) {
  const id = await terminate(world, employeeId);
  leavers.set(employeeId, id);
  const result = await resultOf<LeaverResult>(world.engine.client, id);
  await new Promise((r) => setTimeout(r, 1000));
  return { result, actions: await actionsOf(world.engine.client, [id, `employee-bamboohr-${employeeId}`]) };
}

describe('mass-termination guard: a burst released in Slack', () => {
  it('below the threshold nothing is held, and a leaver costs what it did without the guard', async () => {
    const first = await leaverCost('4501');
    const second = await leaverCost('4502');
    for (const { result, actions } of [first, second]) {
      expect(result.hold).toBeUndefined();
      expect(result.systems.map((s) => s.how).sort()).toEqual(['disabled', 'killed']);
      expect(actions.total, JSON.stringify(actions.byKind)).toBeLessThanOrEqual(12);
      expect(actions.byKind['activity attempt']).toBe(3);
    }
    expect(second.actions.total).toBe(first.actions.total);
    expect(accountsOf(world, '4501')).toMatchObject({ oktaSessions: 0, scimActive: false });
    expect(accountsOf(world, '4501').oktaStatus).not.toBe('ACTIVE');
    expect((await world.engine.services.evidence.forEmployee('4502')).some((e) => e.action.startsWith('leaver.hold'))).toBe(false);
  });

  it('past the threshold: sessions end at once, accounts stay active, one message in the security channel', async () => {
    const ids = await Promise.all(['4503', '4504'].map((e) => terminate(world, e)));
    ids.forEach((id, i) => leavers.set(['4503', '4504'][i]!, id));
    const held = await Promise.all(['4503', '4504'].map((e) => evidenceOf(world.engine, e, 'leaver.held')));
    for (const [evidence] of held) expect(evidence!.context).toMatchObject({ holdId, sessionsEnded: { okta: { outcome: 'success' } }, sessionsHeld: ['aws'] });
    const hold = await holdWith(world, holdId, 2);
    expect(hold).toMatchObject({ status: 'open', threshold: 2, hrSource: 'bamboohr' });
    await vi.waitFor(() => expect(holdMessages(world, channel, holdId)).toHaveLength(1), { timeout: 15_000 });
    // A while later nothing more has happened to the accounts.
    await new Promise((r) => setTimeout(r, 1500));
    for (const e of ['4503', '4504']) expect(accountsOf(world, e)).toEqual({ oktaSessions: 0, oktaStatus: 'ACTIVE', scimActive: true });

    // A leaver arriving while the hold is open joins it: no second hold, no second message.
    leavers.set('4505', await terminate(world, '4505'));
    await evidenceOf(world.engine, '4505', 'leaver.held');
    expect((await holdWith(world, holdId, 3)).members).toBe(3);
    expect(accountsOf(world, '4505')).toEqual({ oktaSessions: 0, oktaStatus: 'ACTIVE', scimActive: true });
    expect(holdMessages(world, channel, holdId)).toHaveLength(1);
    expect(await world.engine.services.holds.get('hold-bamboohr-4502')).toBeUndefined();
    const message = holdMessages(world, channel, holdId)[0]!;
    expect(message.text).toContain(holdId);
    expect(JSON.stringify(message.blocks)).toContain(releaseHoldActionId);
  });

  it('bad input to the hold route is answered 4xx and decides nothing', async () => {
    const cases: [Parameters<typeof decideViaApi>[2], Parameters<typeof decideViaApi>[3], number, string][] = [
      [{ decision: 'approve' }, {}, 400, 'invalid_payload'],
      [{}, {}, 400, 'invalid_payload'],
      [{ decision: 'release', extra: 1 }, {}, 400, 'invalid_payload'],
      [{ decision: 'release', reason: 42 }, {}, 400, 'invalid_payload'],
      [undefined, { raw: '{"decision":' }, 400, 'invalid_json'],
      [undefined, { raw: 'decision=release', contentType: 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
      [{ decision: 'release' }, { token: 'not-a-token' }, 401, 'unauthorized'],
      [{ decision: 'release' }, { token: auditorToken }, 403, 'forbidden'],
    ];
    for (const [body, options, status, error] of cases) {
      const res = await decideViaApi(world, holdId, body, options);
      expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
    }
    expect((await decideViaApi(world, 'hold-bamboohr-9999', { decision: 'release' })).status).toBe(404);
    const badId = await decideViaApi(world, 'not-a-hold', { decision: 'release' });
    expect(badId).toMatchObject({ status: 400, body: { error: 'invalid_hold_id', field: 'id' } });
    expect((await world.engine.services.holds.get(holdId))?.status).toBe('open');
    for (const e of ['4503', '4504', '4505']) expect(accountsOf(world, e).scimActive).toBe(true);
  });

  it('Release all, clicked in Slack: every held leaver is disabled and revoked, and the evidence says who released it', async () => {
    const message = holdMessages(world, channel, holdId)[0]!;
    const answer = await click(world.engine, lead, message, releaseHoldActionId, holdId);
    expect(answer.status).toBe(200);
    const results = await Promise.all(['4503', '4504', '4505'].map((e) => resultOf<LeaverResult>(world.engine.client, leavers.get(e)!)));
    for (const result of results) {
      expect(result.hold).toEqual({ holdId, decision: 'release' });
      expect(result.systems.map((s) => s.how).sort()).toEqual(['disabled', 'killed']);
    }
    for (const e of ['4503', '4504', '4505']) {
      expect(accountsOf(world, e)).toMatchObject({ oktaSessions: 0, scimActive: false });
      expect(accountsOf(world, e).oktaStatus).not.toBe('ACTIVE');
      const [released] = await evidenceOf(world.engine, e, 'leaver.hold_released');
      expect(released).toMatchObject({ actorType: 'engine', context: { holdId, decidedBy: lead.slackId, via: 'slack', approver: { slackId: lead.slackId, email: lead.email } } });
      await evidenceOf(world.engine, e, 'leaver.completed');
    }
    const hold = await world.engine.services.holds.get(holdId);
    expect(hold).toMatchObject({ status: 'released', decidedBy: lead.slackId, members: 3 });
    const [decided] = await evidenceOf(world.engine, holdId, 'leaver.hold_decided');
    expect(decided).toMatchObject({ actorType: 'approver', actorId: lead.slackId, context: { decision: 'released', via: 'slack' } });
    expect([...(decided!.context.members as string[])].sort()).toEqual(['4503', '4504', '4505']);
    await vi.waitFor(() => expect(holdMessages(world, channel, holdId)[0]!.text).toMatch(/released by U45LEAD/));
    expect(await resultOf(world.engine.client, holdId)).toEqual({ holdId, status: 'released', members: 3 });
    // The leaver that opened the hold (it started the hold's workflow).
    await recordHistory(world.engine.client, 'leaver-held-released', hold!.openedBy);
    await recordHistory(world.engine.client, 'mass-hold-released', holdId);
  });

  it('a second decision is refused, through the API and in Slack', async () => {
    const api = await decideViaApi(world, holdId, { decision: 'abort', reason: 'too late' });
    expect(api).toMatchObject({ status: 409, body: { error: 'already_decided', status: 'released' } });
    await click(world.engine, lead, holdMessages(world, channel, holdId)[0]!, releaseHoldActionId, holdId);
    const [text] = await ephemeralsTo(world.slack, lead);
    expect(text).toMatch(/already released/);
    await evidenceOf(world.engine, holdId, 'leaver.hold_refused');
    expect((await world.engine.services.holds.get(holdId))?.status).toBe('released');
  });

  it('the offboarding report shows which leavers were held and how the hold ended', async () => {
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const res = await fetch(`${world.engine.url}/api/reports/offboarding?from=${from}&to=${to}&format=json`, { headers: { authorization: `Bearer ${auditorToken}` } });
    const report = (await res.json()) as OffboardingReport;
    const row = (id: string) => report.leavers.find((l) => l.employeeId === id);
    expect(row('4501')?.hold).toBeUndefined();
    expect(row('4503')).toMatchObject({ hold: { holdId, status: 'released', decidedBy: lead.slackId }, systems: { okta: { outcome: 'killed' }, aws: { outcome: 'disabled' } } });
    expect(row('4503')?.accessRevokedAt).not.toBeNull();
    expect(report.summary).toMatchObject({ held: 0, aborted: 0, open: 0 });
  });
});
