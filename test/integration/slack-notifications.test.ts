import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { moverWorkflowId } from '../../src/hris/hr-event';
import { approveActionId } from '../../src/slack/ids';
import type { LeaverResult } from '../../workflows/leaver';
import type { MoverResult } from '../../workflows/mover';
import { postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { approvalMessageFor, click, deliver, ephemeralsTo, evidenceOf, pendingApproval, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * What Slack is told besides approvals: the security channel gets one message per finished
 * leaver and an alert the moment the session-kill SLA is missed; a joiner's manager hears what
 * is ready. And a manager change sends later approvals to the new manager.
 */
const oldManager: Person = { slackId: 'U98OLD', email: 'olga.old@acme.test', employeeId: '9890' };
const newManager: Person = { slackId: 'U98NEW', email: 'ned.new@acme.test', employeeId: '9891' };
const channel = '#sec-alerts-98';

let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld({
    people: [oldManager, newManager],
    yaml: `
sla: { leaverSessionKill: 2s, securityChannel: "${channel}" }
policy:
  birthright:
    - { system: okta, entitlements: ["group:everyone"] }
  rules:
    - name: SRE
      when: { jobTitle: SRE }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
approvals: { timeout: 1h, fallbackApprovers: [] }
joiner: { provisionLeadTime: 3d }
`,
  });
});

afterAll(async () => {
  await world?.close();
});

const channelMessages = () => world.slack.messages().filter((m) => m.channel === channel);
async function terminate(employeeId: string, login: string) {
  const delivery = terminationDelivery(employeeId, login, '2020-02-03');
  world.bamboo.setEmployee(employeeId, delivery.employees[0]!.fields);
  return postBambooWebhook(world.engine.url, delivery);
}
const leaverOf = (body: Record<string, unknown>) => (body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;

describe('Slack notifications', () => {
  it('a finished leaver: one message to the security channel with each system’s outcome', async () => {
    world.targets.seedWorker('lena.leaver@acme.test', ['everyone']);
    const res = await terminate('981', 'lena.leaver@acme.test');
    const result = await resultOf<LeaverResult>(world.engine.client, leaverOf(res.body));
    const messages = channelMessages().filter((m) => m.text.includes('981') && !/breach/i.test(m.text));
    expect(messages).toHaveLength(1);
    const body = JSON.stringify(messages[0]!.blocks);
    expect(body).toContain('okta');
    expect(body).toContain('aws');
    // Within the 2 s SLA on an idle machine; the message says whichever it was.
    expect(/SLA missed/.test(body)).toBe(result.slaBreached);
    expect(body).not.toContain('lena.leaver');
  });

  it('a missed session-kill SLA: an alert at once, before the leaver finishes', async () => {
    world.targets.seedWorker('sly.slow@acme.test', ['everyone']);
    world.targets.setLatency(2_500);
    try {
      const res = await terminate('982', 'sly.slow@acme.test');
      const alert = await vi.waitFor(
        () => {
          const found = channelMessages().find((m) => m.text.includes('982') && /breach/i.test(m.text));
          if (!found) throw new Error('no SLA alert yet');
          return found;
        },
        { timeout: 15_000, interval: 50 },
      );
      world.targets.setLatency(0);
      const result = await resultOf<LeaverResult>(world.engine.client, leaverOf(res.body));
      expect(result.slaBreached).toBe(true);
      await recordHistory(world.engine.client, 'leaver-notified-sla-breach', leaverOf(res.body));
      const finished = channelMessages().filter((m) => m.text.includes('982') && m.ts !== alert.ts);
      expect(finished).toHaveLength(1);
      expect(Number(alert.ts)).toBeLessThan(Number(finished[0]!.ts));
      expect(JSON.stringify(finished[0]!.blocks)).toMatch(/SLA missed/);
    } finally {
      world.targets.setLatency(0);
    }
  });

  it('a joiner provisioned: the manager hears what is ready', async () => {
    await deliver(world, '983', 'Created', {
      workEmail: 'joy.joiner@acme.test',
      firstName: 'Joy',
      lastName: 'Joiner',
      status: 'Active',
      hireDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      jobTitle: 'Analyst',
      supervisorEId: oldManager.employeeId,
    });
    const dm = await vi.waitFor(
      () => {
        const found = world.slack.messages().find((m) => m.user === oldManager.slackId && m.text.includes('983'));
        if (!found) throw new Error('no message to the manager yet');
        return found;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(JSON.stringify(dm.blocks)).toContain('group:everyone');
  });

  it('a manager change routes later approvals to the new manager; the old one is refused', async () => {
    const login = 'max.mover@acme.test';
    const fields = { workEmail: login, firstName: 'Max', lastName: 'Mover', status: 'Active', hireDate: '2024-01-08', terminationDate: null };
    await deliver(world, '984', 'Created', { ...fields, jobTitle: 'Analyst', supervisorEId: oldManager.employeeId });
    await evidenceOf(world.engine, '984', 'joiner.completed');
    const change = await deliver(world, '984', 'Updated', { ...fields, jobTitle: 'SRE', supervisorEId: newManager.employeeId }, ['jobTitle', 'supervisorEId']);
    const approval = await pendingApproval(world.engine, '984');
    const message = await approvalMessageFor(world.slack, newManager, approval.approvalId);
    expect(world.slack.messages().some((m) => m.user === oldManager.slackId && JSON.stringify(m.blocks ?? []).includes(approval.approvalId))).toBe(false);
    await click(world.engine, oldManager, message, approveActionId, approval.approvalId);
    expect((await ephemeralsTo(world.slack, oldManager)).at(-1)).toMatch(/not an approver/);
    await click(world.engine, newManager, message, approveActionId, approval.approvalId);
    const result = await resultOf<MoverResult>(world.engine.client, moverWorkflowId('bamboohr', '984', change.eventId));
    expect(result.approvals.map((a) => a.outcome)).toEqual(['success']);
    expect(world.targets.scim.user(login)?.groups).toContain('prod-admin');
    await recordHistory(world.engine.client, 'mover-slack-manager-change', moverWorkflowId('bamboohr', '984', change.eventId));
  });
});
