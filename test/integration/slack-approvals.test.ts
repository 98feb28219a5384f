import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveActionId, reasonActionId, reasonBlockId, rejectActionId, rejectReasonCallbackId } from '../../src/slack/ids';
import type { JoinerResult } from '../../workflows/joiner';
import { postSlackInteraction, slackSignature, slackSigningSecret, viewSubmissionPayload, blockActionsPayload } from '../harness/slack';
import { approvalMessageFor, click, deliver, ephemeralsTo, evidenceOf, pendingApproval, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * Approvals in Slack end to end: signed BambooHR hires on the real engine (dev server,
 * database), the manager found through BambooHR's API and Slack's users.lookupByEmail, direct
 * messages and clicks through the Slack Web API peer and signed interaction payloads.
 */
const manager: Person = { slackId: 'U97MGR', email: 'mia.manager@acme.test', employeeId: '9790' };
const lead: Person = { slackId: 'U97LEAD', email: 'it.lead@acme.test', employeeId: '9791' };
const stranger: Person = { slackId: 'U97STR', email: 'sam.stranger@acme.test', employeeId: '9792' };
const workerA: Person = { slackId: 'U97WKA', email: 'ada.sre@acme.test', employeeId: '971' };
const noSlackManager: Person = { slackId: 'U97GONE', email: 'gone.manager@acme.test', employeeId: '9793' };

let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld({
    people: [manager, lead, stranger, workerA],
    yaml: `
policy:
  birthright:
    - { system: okta, entitlements: ["group:everyone"] }
  rules:
    - name: SRE
      when: { jobTitle: "/SRE|Site Reliability/" }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
approvals: { timeout: 1h, remindEvery: 1h, fallbackApprovers: ["${lead.slackId}", "${workerA.slackId}"] }
joiner: { provisionLeadTime: 3d }
`,
  });
  // Known to BambooHR, not to Slack: approvals fall back to the fallback approvers.
  world.bamboo.setEmployee(noSlackManager.employeeId, { workEmail: noSlackManager.email });
});

afterAll(async () => {
  await world?.close();
});

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

function hire(employeeId: string, email: string, managerId: string) {
  return deliver(world, employeeId, 'Created', {
    workEmail: email,
    firstName: 'Ada',
    lastName: 'Sre',
    status: 'Active',
    hireDate: yesterday(),
    jobTitle: 'Site Reliability Engineer',
    department: 'Engineering',
    supervisorEId: managerId,
  });
}

const awsGroups = (login: string) => [...(world.targets.scim.user(login)?.groups ?? [])];
const joinerOf = (event: { workflowIds: string[] }) => event.workflowIds.find((w) => w.startsWith('joiner-'))!;

describe('approval in Slack', () => {
  it('the manager gets a DM; strangers and the worker are refused; only the manager’s click grants; the message shows who decided', async () => {
    const event = await hire(workerA.employeeId, workerA.email, manager.employeeId);
    const approval = await pendingApproval(world.engine, workerA.employeeId);
    expect(approval.approvers).toEqual([{ slackId: manager.slackId, email: manager.email, role: 'manager' }]);
    const message = await approvalMessageFor(world.slack, manager, approval.approvalId);
    expect(message.text).toContain('prod-admin');
    expect(JSON.stringify(message.blocks)).toContain(approveActionId);
    expect(world.slack.calls('users.lookupByEmail').map((c) => c.args.email)).toContain(manager.email);
    expect(world.bamboo.requests().some((r) => r.employeeId === manager.employeeId && r.fields.includes('workEmail'))).toBe(true);
    // Birthright at once, the approved access not yet.
    expect(world.targets.okta.user(workerA.email)?.groups).toContain('everyone');
    expect(awsGroups(workerA.email)).not.toContain('prod-admin');

    expect((await click(world.engine, stranger, message, approveActionId, approval.approvalId)).status).toBe(200);
    expect((await ephemeralsTo(world.slack, stranger))[0]).toMatch(/not an approver/);
    // The worker is a fallback approver here, and still cannot approve their own access.
    expect((await click(world.engine, workerA, message, approveActionId, approval.approvalId)).status).toBe(200);
    expect((await ephemeralsTo(world.slack, workerA))[0]).toMatch(/your own access/);
    const refused = await evidenceOf(world.engine, workerA.employeeId, 'approval.refused', 2);
    expect(refused.map((e) => [e.actorId, e.context.reason]).sort()).toEqual([
      [stranger.slackId, 'not_an_approver'],
      [workerA.slackId, 'self_approval'],
    ]);
    expect((await world.engine.services.approvals.get(approval.approvalId))?.status).toBe('pending');
    expect(awsGroups(workerA.email)).not.toContain('prod-admin');

    const answer = await click(world.engine, manager, message, approveActionId, approval.approvalId);
    expect(answer).toEqual({ status: 200, body: '' });
    const result = await resultOf<JoinerResult>(world.engine.client, joinerOf(event));
    expect(result.approvals.map((a) => a.outcome)).toEqual(['success']);
    expect(awsGroups(workerA.email)).toContain('prod-admin');
    await recordHistory(world.engine.client, 'joiner-slack-approved', joinerOf(event));

    const [decided] = await evidenceOf(world.engine, workerA.employeeId, 'approval.decided');
    expect(decided).toMatchObject({ actorType: 'approver', actorId: manager.slackId, outcome: 'success', entitlement: 'group:prod-admin' });
    expect(decided!.context).toMatchObject({ decision: 'approved', approver: { slackId: manager.slackId, email: manager.email }, approvalId: approval.approvalId });
    // When: the moment of the click, kept apart from when the evidence was written.
    const decidedAt = String(decided!.context.decidedAt);
    expect(Date.parse(decidedAt)).toBeLessThanOrEqual(Date.parse(decided!.occurredAt));
    expect((await world.engine.services.approvals.get(approval.approvalId))?.decidedAt).toBe(new Date(decidedAt).toISOString());
    const updated = world.slack.messages().find((m) => m.ts === message.ts)!;
    expect(updated.updates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(updated.blocks)).toContain(`<@${manager.slackId}>`);
    expect(JSON.stringify(updated.blocks)).not.toContain(approveActionId);
    expect((await world.engine.services.approvals.get(approval.approvalId))?.decidedBy).toBe(manager.slackId);

    // A second click on the (stale) message changes nothing and is answered.
    await click(world.engine, manager, message, approveActionId, approval.approvalId);
    expect((await ephemeralsTo(world.slack, manager))[0]).toMatch(/already approved/);
    const after = await evidenceOf(world.engine, workerA.employeeId, 'approval.refused', 3);
    expect(after.filter((e) => e.actorId === manager.slackId).map((e) => e.context.reason)).toEqual(['already_decided']);
    expect((await evidenceOf(world.engine, workerA.employeeId, 'approval.decided')).length).toBe(1);
  });

  it('Reject asks for a reason in a modal; the rejection is recorded with it and nothing is granted', async () => {
    const worker: Person = { slackId: 'U97WKB', email: 'bo.sre@acme.test', employeeId: '972' };
    const event = await hire(worker.employeeId, worker.email, manager.employeeId);
    const approval = await pendingApproval(world.engine, worker.employeeId);
    const message = await approvalMessageFor(world.slack, manager, approval.approvalId);
    const viewsBefore = world.slack.views().length;
    expect((await click(world.engine, manager, message, rejectActionId, approval.approvalId, { triggerId: 'trig-972' })).status).toBe(200);
    const opened = await waitForView(viewsBefore);
    expect(opened.trigger_id).toBe('trig-972');
    expect(opened.view.callback_id).toBe(rejectReasonCallbackId);
    const metadata = String(opened.view.private_metadata);
    expect(JSON.parse(metadata)).toMatchObject({ approvalId: approval.approvalId, channel: message.channel });

    const submit = (reason: string) =>
      postSlackInteraction(
        world.engine.url,
        slackSigningSecret,
        viewSubmissionPayload({
          userId: manager.slackId,
          callbackId: rejectReasonCallbackId,
          privateMetadata: metadata,
          values: { [reasonBlockId]: { [reasonActionId]: { type: 'plain_text_input', value: reason } } },
        }),
      );
    const blank = await submit('  ');
    expect(blank.status).toBe(200);
    expect(JSON.parse(blank.body)).toMatchObject({ response_action: 'errors', errors: { [reasonBlockId]: expect.any(String) } });
    expect((await world.engine.services.approvals.get(approval.approvalId))?.status).toBe('pending');

    expect((await submit('Not on the on-call rota yet')).status).toBe(200);
    const result = await resultOf<JoinerResult>(world.engine.client, joinerOf(event));
    expect(result.approvals.map((a) => a.outcome)).toEqual(['skipped']);
    expect(awsGroups(worker.email)).not.toContain('prod-admin');
    const [decided] = await evidenceOf(world.engine, worker.employeeId, 'approval.decided');
    expect(decided).toMatchObject({ actorId: manager.slackId, outcome: 'skipped' });
    expect(decided!.context).toMatchObject({ decision: 'rejected', approvalReason: 'Not on the on-call rota yet', approver: { email: manager.email } });
    const updated = world.slack.messages().find((m) => m.ts === message.ts)!;
    expect(JSON.stringify(updated.blocks)).toMatch(/Rejected/);
    expect(JSON.stringify(updated.blocks)).toContain('Not on the on-call rota yet');
  });

  it('a forged or stale signature gets 401 and decides nothing', async () => {
    const worker: Person = { slackId: 'U97WKC', email: 'cy.sre@acme.test', employeeId: '973' };
    await hire(worker.employeeId, worker.email, manager.employeeId);
    const approval = await pendingApproval(world.engine, worker.employeeId);
    const message = await approvalMessageFor(world.slack, manager, approval.approvalId);
    const payload = blockActionsPayload({ userId: manager.slackId, actionId: approveActionId, value: approval.approvalId, channelId: message.channel, messageTs: message.ts });
    const now = Math.floor(Date.now() / 1000);
    const forged = await postSlackInteraction(world.engine.url, slackSigningSecret, payload, { signature: slackSignature('not-the-secret', now, 'x') });
    expect(forged.status).toBe(401);
    const stale = await postSlackInteraction(world.engine.url, slackSigningSecret, payload, { timestamp: now - 6 * 60 });
    expect(stale.status).toBe(401);
    const ephemeralsBefore = world.slack.ephemerals().length;
    await new Promise((r) => setTimeout(r, 500));
    expect((await world.engine.services.approvals.get(approval.approvalId))?.status).toBe('pending');
    expect(world.slack.ephemerals().length).toBe(ephemeralsBefore);
    expect((await world.engine.services.evidence.forEmployee(worker.employeeId)).filter((e) => e.action.startsWith('approval.') && e.action !== 'approval.requested')).toEqual([]);
  });

  it('a manager Slack does not know: the fallback approvers are asked instead; a 429 from Slack only delays the message', async () => {
    const worker: Person = { slackId: 'U97WKD', email: 'di.sre@acme.test', employeeId: '974' };
    world.slack.rateLimit('chat.postMessage', 1, 1);
    await hire(worker.employeeId, worker.email, noSlackManager.employeeId);
    const approval = await pendingApproval(world.engine, worker.employeeId);
    const message = await approvalMessageFor(world.slack, lead, approval.approvalId);
    await approvalMessageFor(world.slack, workerA, approval.approvalId);
    // Every fallback approver is asked (another worker, 971, is one in this configuration).
    expect(world.slack.messages().filter((m) => JSON.stringify(m.blocks ?? []).includes(approval.approvalId)).map((m) => m.user).sort()).toEqual([lead.slackId, workerA.slackId]);
    expect(world.slack.calls('chat.postMessage').some((c) => c.status === 429)).toBe(true);
    const [requested] = await evidenceOf(world.engine, worker.employeeId, 'approval.requested');
    expect(requested!.context).toMatchObject({ approverRole: 'fallback', managerEmail: noSlackManager.email, approvers: [{ slackId: lead.slackId }, { slackId: workerA.slackId }] });
    expect((await click(world.engine, lead, message, approveActionId, approval.approvalId)).status).toBe(200);
    await evidenceOf(world.engine, worker.employeeId, 'entitlement.grant', 2);
    expect(awsGroups(worker.email)).toContain('prod-admin');
  });
});

async function waitForView(before: number) {
  const { vi } = await import('vitest');
  return vi.waitFor(
    () => {
      const view = world.slack.views()[before];
      if (!view) throw new Error('no modal opened yet');
      return view;
    },
    { timeout: 15_000, interval: 50 },
  );
}
