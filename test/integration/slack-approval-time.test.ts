import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveActionId } from '../../src/slack/ids';
import type { JoinerResult } from '../../workflows/joiner';
import { approvalMessageFor, click, deliver, ephemeralsTo, evidenceOf, pendingApproval, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * Approval time on short, configured durations: reminders, escalation to the fallback
 * approvers (who may decide only from then on), and expiry (access not granted, messages show
 * it, a late click is refused).
 */
const manager: Person = { slackId: 'U976MGR', email: 'max.manager@acme.test', employeeId: '9760' };
const lead: Person = { slackId: 'U976LEAD', email: 'ivy.lead@acme.test', employeeId: '9761' };

let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld({
    people: [manager, lead],
    yaml: `
policy:
  birthright:
    - { system: okta, entitlements: ["group:everyone"] }
  rules:
    - name: SRE
      when: { jobTitle: SRE }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
approvals: { timeout: 12s, remindEvery: 2s, escalateAfter: 5s, fallbackApprovers: ["${lead.slackId}"] }
joiner: { provisionLeadTime: 3d }
`,
  });
});

afterAll(async () => {
  await world?.close();
});

function hire(employeeId: string, email: string) {
  return deliver(world, employeeId, 'Created', {
    workEmail: email,
    firstName: 'Tim',
    lastName: 'Er',
    status: 'Active',
    hireDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    jobTitle: 'SRE',
    supervisorEId: manager.employeeId,
  });
}

describe('approval reminders, escalation and expiry', () => {
  it('reminds the manager, escalates to the fallback approver, who may decide only after the escalation', async () => {
    const event = await hire('976', 'tim.er@acme.test');
    const approval = await pendingApproval(world.engine, '976');
    const first = await approvalMessageFor(world.slack, manager, approval.approvalId);
    // Before the escalation the fallback approver is not an approver of this request.
    await click(world.engine, lead, first, approveActionId, approval.approvalId);
    expect((await ephemeralsTo(world.slack, lead))[0]).toMatch(/not an approver/);

    const reminded = await evidenceOf(world.engine, '976', 'approval.reminded');
    expect(reminded[0]!.context).toMatchObject({ to: { slackId: manager.slackId }, approvalId: approval.approvalId });
    const [escalated] = await evidenceOf(world.engine, '976', 'approval.escalated');
    expect(escalated!.context).toMatchObject({ to: { slackId: lead.slackId }, role: 'fallback' });
    const escalation = await approvalMessageFor(world.slack, lead, approval.approvalId);
    expect(JSON.stringify(escalation.blocks)).toContain(`<@${manager.slackId}>`);

    expect((await click(world.engine, lead, escalation, approveActionId, approval.approvalId)).status).toBe(200);
    const result = await resultOf<JoinerResult>(world.engine.client, event.workflowIds.find((w) => w.startsWith('joiner-'))!);
    expect(result.approvals.map((a) => a.outcome)).toEqual(['success']);
    expect(world.targets.scim.user('tim.er@acme.test')?.groups).toContain('prod-admin');
    await recordHistory(world.engine.client, 'joiner-approval-escalated', event.workflowIds.find((w) => w.startsWith('joiner-'))!);
    const [decided] = await evidenceOf(world.engine, '976', 'approval.decided');
    expect(decided).toMatchObject({ actorId: lead.slackId });
    // Every message about this approval (manager's request and reminders, the escalation) shows the outcome.
    for (const m of world.slack.messages().filter((m) => m.ts === first.ts || m.ts === escalation.ts)) {
      expect(m.updates).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(m.blocks)).not.toContain(approveActionId);
    }
  }, 60_000);

  it('expires undecided: access not granted, the expiry recorded, the messages updated, a late click refused', async () => {
    const event = await hire('977', 'una.decided@acme.test');
    const approval = await pendingApproval(world.engine, '977');
    const message = await approvalMessageFor(world.slack, manager, approval.approvalId);
    const result = await resultOf<JoinerResult>(world.engine.client, event.workflowIds.find((w) => w.startsWith('joiner-'))!);
    expect(result.approvals.map((a) => a.outcome)).toEqual(['skipped']);
    expect(world.targets.scim.user('una.decided@acme.test')?.groups ?? []).not.toContain('prod-admin');
    const [expired] = await evidenceOf(world.engine, '977', 'approval.expired');
    expect(expired).toMatchObject({ actorType: 'engine', outcome: 'skipped', entitlement: 'group:prod-admin' });
    expect((await world.engine.services.approvals.get(approval.approvalId))?.status).toBe('expired');
    const updated = world.slack.messages().find((m) => m.ts === message.ts)!;
    expect(updated.updates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(updated.blocks)).toMatch(/[Ee]xpired/);

    const before = world.slack.ephemerals().filter((e) => e.user === manager.slackId).length;
    await click(world.engine, manager, message, approveActionId, approval.approvalId);
    const texts = await ephemeralsTo(world.slack, manager, before + 1);
    expect(texts[before]).toMatch(/expired/);
    const refused = await evidenceOf(world.engine, '977', 'approval.refused');
    expect(refused[0]!.context).toMatchObject({ reason: 'expired', attempted: 'approve' });
  }, 60_000);
});
