import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OffboardingReport } from '../../src/reports/offboarding';
import { abortHoldActionId } from '../../src/slack/ids';
import { statusQuery } from '../../src/temporal/messages';
import type { LeaverAborted, LeaverResult } from '../../workflows/leaver';
import { accountsOf, decideViaApi, holdMessages, holdWith, numberHoldsFrom, terminate } from '../harness/mass-termination';
import { click, ephemeralsTo, evidenceOf, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import { auditorToken } from '../harness/test-engine';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * Holds that are aborted, reminded and escalated, and that hold the session kills too.
 * Employee IDs 451x-452x.
 */
const lead: Person = { slackId: 'U45LEAD', email: 'sec.lead@acme.test', employeeId: '4598' };
const other: Person = { slackId: 'U45OTHER', email: 'it.other@acme.test', employeeId: '4597' };
const channel = '#sec-451';

describe('an undecided hold is reminded and escalated; aborted through the API, accounts stay enabled', () => {
  let world: SlackWorld;
  const holdId = 'hold-bamboohr-4511';
  beforeAll(async () => {
    world = await startSlackWorld({
      people: [lead, other],
      yaml: `
sla: { leaverSessionKill: 60s, securityChannel: "${channel}" }
leaver:
  massTermination: { threshold: 1, window: 1h, remindEvery: 1s, escalateAfter: 2500ms, deciders: [U45LEAD] }
`,
    });
    await numberHoldsFrom(world, 4510);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('reminds every interval and escalates once, naming the deciders', async () => {
    await resultOf<LeaverResult>(world.engine.client, await terminate(world, '4511'));
    const held = await terminate(world, '4512');
    await evidenceOf(world.engine, '4512', 'leaver.held');
    await holdWith(world, holdId, 1);
    const reminders = await evidenceOf(world.engine, holdId, 'leaver.hold_reminded', 2);
    expect(reminders[0]!.context).toMatchObject({ holdId, members: 1, threshold: 1 });
    // A leaver joining later shows in the first message with the next reminder.
    await terminate(world, '4513');
    await evidenceOf(world.engine, '4513', 'leaver.held');
    await evidenceOf(world.engine, holdId, 'leaver.hold_reminded', reminders.length + 2);
    const [escalated] = await evidenceOf(world.engine, holdId, 'leaver.hold_escalated');
    expect(escalated!.context).toMatchObject({ escalateTo: [lead.slackId] });
    const messages = holdMessages(world, channel, holdId);
    expect(messages.filter((m) => /^Reminder/.test(m.text)).length).toBeGreaterThanOrEqual(2);
    const escalation = messages.filter((m) => /^Escalated/.test(m.text));
    expect(escalation).toHaveLength(1);
    expect(JSON.stringify(escalation[0]!.blocks)).toContain(`<@${lead.slackId}>`);
    // The first message is kept up to date by the reminders.
    const first = messages.find((m) => /^Mass termination held/.test(m.text))!;
    expect(first.updates).toBeGreaterThan(0);
    expect(JSON.stringify(first.blocks)).toContain('*Held leavers:* 2');
    expect(accountsOf(world, '4512')).toEqual({ oktaSessions: 0, oktaStatus: 'ACTIVE', scimActive: true });
    expect(held).toMatch(/^leaver-bamboohr-4512-/);
  });

  it('someone who is not a decider cannot decide in Slack', async () => {
    const message = holdMessages(world, channel, holdId)[0]!;
    expect((await click(world.engine, other, message, abortHoldActionId, holdId)).status).toBe(200);
    const [text] = await ephemeralsTo(world.slack, other);
    expect(text).toMatch(/not one of the people who may decide/);
    const [refused] = await evidenceOf(world.engine, holdId, 'leaver.hold_refused');
    expect(refused).toMatchObject({ actorId: other.slackId, outcome: 'failure', context: { reason: 'not_a_decider', attempted: 'abort' } });
    expect((await world.engine.services.holds.get(holdId))?.status).toBe('open');
  });

  it('abort through the API: the ended sessions were the only effect, and the HR event is recorded as held and aborted', async () => {
    const res = await decideViaApi(world, holdId, { decision: 'abort', reason: 'HR bulk import ran against the wrong company' });
    expect(res).toMatchObject({ status: 200, body: { holdId, status: 'aborted', members: 2 } });
    const leaverId = (await world.engine.services.holds.members(holdId)).find((m) => m.employeeId === '4512')!.workflowId;
    const result = await resultOf<LeaverAborted>(world.engine.client, leaverId);
    expect(result).toMatchObject({ rescinded: false, aborted: true, holdId });
    expect(accountsOf(world, '4512')).toEqual({ oktaSessions: 0, oktaStatus: 'ACTIVE', scimActive: true });
    // The worker's accounts were left enabled: the worker's workflow counts them active again.
    await vi.waitFor(async () => expect((await world.engine.client.workflow.getHandle('employee-bamboohr-4512').query(statusQuery)).lifecycle).toBe('active'), { timeout: 15_000 });
    const [aborted] = await evidenceOf(world.engine, '4512', 'leaver.hold_aborted');
    expect(aborted).toMatchObject({
      outcome: 'skipped',
      context: { holdId, decidedBy: 'api:admin', via: 'api', decisionReason: 'HR bulk import ran against the wrong company', accountsLeftEnabled: ['okta', 'aws'] },
    });
    const actions = (await world.engine.services.evidence.forEmployee('4512')).map((e) => e.action);
    expect(actions).not.toContain('leaver.completed');
    expect(actions).not.toContain('account.disable');
    expect(actions.filter((a) => a === 'leaver.held')).toHaveLength(1);
    await vi.waitFor(() => expect(holdMessages(world, channel, holdId).every((m) => m.updates > 0)).toBe(true), { timeout: 15_000 });
    expect(holdMessages(world, channel, holdId)[0]!.text).toMatch(/aborted/);
    expect(await resultOf(world.engine.client, holdId)).toEqual({ holdId, status: 'aborted', members: 2 });
    await recordHistory(world.engine.client, 'leaver-hold-aborted', leaverId);
    await recordHistory(world.engine.client, 'mass-hold-escalated-aborted', holdId);
    // Reminders stop once it is decided.
    const count = (await world.engine.services.evidence.forEmployee(holdId)).filter((e) => e.action === 'leaver.hold_reminded').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await world.engine.services.evidence.forEmployee(holdId)).filter((e) => e.action === 'leaver.hold_reminded')).toHaveLength(count);

    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const report = (await (await fetch(`${world.engine.url}/api/reports/offboarding?from=${from}&to=${to}&format=json`, { headers: { authorization: `Bearer ${auditorToken}` } })).json()) as OffboardingReport;
    const row = report.leavers.find((l) => l.employeeId === '4512');
    expect(row).toMatchObject({ accessRevokedAt: null, hold: { holdId, status: 'aborted', decidedBy: 'api:admin' }, systems: { okta: { outcome: 'killed', disabledAt: null }, aws: { outcome: 'aborted' } } });
    expect(row!.exceptions.join('\n')).toMatch(/leaver\.hold_aborted: skipped \(mass-termination hold hold-bamboohr-4511 aborted/);
    expect(report.leavers.find((l) => l.employeeId === '4513')?.hold?.status).toBe('aborted');
    expect(report.summary).toMatchObject({ count: 3, aborted: 2, held: 0, open: 0 });
  });
});

describe('holdSessionKills: true holds the session kills too', () => {
  let world: SlackWorld;
  const holdId = 'hold-bamboohr-4521';
  beforeAll(async () => {
    world = await startSlackWorld({
      people: [lead],
      yaml: `
sla: { leaverSessionKill: 60s, securityChannel: "${channel}" }
leaver:
  massTermination: { threshold: 0, window: 1h, holdSessionKills: true, remindEvery: 0s, escalateAfter: 0s }
`,
    });
    await numberHoldsFrom(world, 4520);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('nothing happens to the accounts until the hold is released; then everything does', async () => {
    const leaverId = await terminate(world, '4521');
    const [held] = await evidenceOf(world.engine, '4521', 'leaver.held');
    expect(held!.context).toMatchObject({ holdId, holdSessionKills: true, sessionsEnded: {}, sessionsHeld: ['okta', 'aws'] });
    await new Promise((r) => setTimeout(r, 1000));
    expect(accountsOf(world, '4521')).toEqual({ oktaSessions: 2, oktaStatus: 'ACTIVE', scimActive: true });
    expect((await world.engine.services.evidence.forEmployee('4521')).some((e) => e.action === 'sessions.kill')).toBe(false);
    expect(await decideViaApi(world, holdId, { decision: 'release' })).toMatchObject({ status: 200, body: { status: 'released', members: 1 } });
    const result = await resultOf<LeaverResult>(world.engine.client, leaverId);
    expect(result.hold).toEqual({ holdId, decision: 'release' });
    expect(accountsOf(world, '4521')).toMatchObject({ oktaSessions: 0, scimActive: false });
    expect(accountsOf(world, '4521').oktaStatus).not.toBe('ACTIVE');
  });

  it('a burst dated ahead is announced at once, while its leavers wait for their cutoff', async () => {
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const leaverId = await terminate(world, '4522', nextWeek);
    const hold = await holdWith(world, 'hold-bamboohr-4522', 1);
    expect(hold.openedBy).toBe(leaverId);
    await vi.waitFor(() => expect(holdMessages(world, channel, hold.holdId)).toHaveLength(1), { timeout: 15_000 });
    // Decided before it takes effect: the leaver will find the decision when its cutoff comes.
    expect(await decideViaApi(world, hold.holdId, { decision: 'abort' })).toMatchObject({ status: 200, body: { status: 'aborted', members: 1 } });
    expect((await world.engine.client.workflow.getHandle(leaverId).describe()).status.name).toBe('RUNNING');
    expect(accountsOf(world, '4522')).toEqual({ oktaSessions: 2, oktaStatus: 'ACTIVE', scimActive: true });
    await world.engine.client.workflow.getHandle(leaverId).terminate('test over: the cutoff is a week away');
  });

  it('a decision for a hold whose workflow is not running starts it, and is taken', async () => {
    await world.engine.db.query(
      `INSERT INTO leaver_holds (hold_id, hr_source, opened_at, opened_by, threshold, window_ms) VALUES ('hold-bamboohr-4530', 'bamboohr', now(), 'leaver-bamboohr-4530-gone', 0, 3600000)`,
    );
    const res = await decideViaApi(world, 'hold-bamboohr-4530', { decision: 'release', reason: 'checked with HR' });
    expect(res).toMatchObject({ status: 200, body: { holdId: 'hold-bamboohr-4530', status: 'released', members: 0 } });
    expect(await resultOf(world.engine.client, 'hold-bamboohr-4530')).toEqual({ holdId: 'hold-bamboohr-4530', status: 'released', members: 0 });
    expect((await world.engine.services.holds.get('hold-bamboohr-4530'))?.reason).toBe('checked with HR');
  });
});
