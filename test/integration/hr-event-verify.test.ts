import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { employeeWorkflowId, joinerWorkflowId, leaverWorkflowId, type HrEvent } from '../../src/hris/hr-event';
import { hrEventSignal, joinerChangeSignal, workflowTypes } from '../../src/temporal/messages';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverRefused, LeaverResult } from '../../workflows/leaver';
import { postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { evidenceOf, startSlackWorld, type SlackWorld } from '../harness/slack-world';
import { recordHistory, resultOf, waitForWorkflow } from '../harness/workflows';

/**
 * HR events that did not come through the door (a signed webhook or a poll, stored in the
 * inbox): started or signalled straight through Temporal, they are refused before anything is
 * done, recorded as hr_event.unverified and alerted to the security channel. Employee IDs 94x.
 */
const channel = '#sec-alerts-94';
let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld({
    people: [],
    yaml: `
sla: { securityChannel: "${channel}" }
policy:
  birthright: [{ system: okta, entitlements: ["group:everyone"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
joiner: { provisionLeadTime: 3d }
`,
  });
});

afterAll(async () => {
  await world?.close();
});

const peerCalls = () => world.targets.okta.requests().length + world.targets.scim.requests().length;
const alerts = (hrEventId: string) => world.slack.messages().filter((m) => m.channel === channel && m.text.includes(hrEventId));
const dateIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

// Employee IDs of this run alone: other files share the Temporal server, and a worker's workflow ID is its source and ID.
const base = 600_000 + Math.floor(Math.random() * 90_000) * 10;
const [id1, id2, id3, id4] = [1, 2, 3, 4].map((n) => String(base + n)) as [string, string, string, string];

function forged(employeeId: string, kind: HrEvent['kind'], worker: HrEvent['worker'], eventId = `bamboohr:${employeeId}:forged-${kind}`): HrEvent {
  return { eventId, source: 'bamboohr', employeeId, kind, immediate: true, receivedAt: new Date().toISOString(), changedFields: ['status'], worker, via: 'webhook' };
}

async function hire(employeeId: string, login: string, hireDate: string, department = 'Sales') {
  const res = await postBambooWebhook(world.engine.url, {
    employees: [
      {
        id: employeeId,
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: { workEmail: login, firstName: 'Vera', lastName: 'Fied', status: 'Active', hireDate, terminationDate: null, department },
      },
    ],
  });
  expect(res.status).toBe(202);
  return (res.body.events as { eventId: string; workflowIds: string[] }[])[0]!;
}

async function unverified(employeeId: string, hrEventId: string) {
  const [record] = (await evidenceOf(world.engine, employeeId, 'hr_event.unverified')).filter((e) => e.context.hrEventId === hrEventId);
  expect(record).toBeDefined();
  return record!;
}

describe('HR events that did not come through the intake', () => {
  it('a hire signalled-with-start straight through Temporal: refused, recorded, alerted, nothing done anywhere', async () => {
    const before = peerCalls();
    const event = forged(`${id1}`, 'hire', { workEmail: `mallory.${id1}@acme.test`, firstName: 'Mallory', department: 'Engineering' });
    await world.engine.client.workflow.signalWithStart(workflowTypes.employee, {
      workflowId: employeeWorkflowId('bamboohr', `${id1}`),
      taskQueue: world.engine.taskQueue,
      args: [{ source: 'bamboohr', employeeId: `${id1}` }],
      signal: hrEventSignal,
      signalArgs: [event],
    });
    const record = await unverified(`${id1}`, event.eventId);
    expect(record.outcome).toBe('failure');
    expect(record.context.reason).toBe('not_in_inbox');
    expect(record.context.path).toBe('entity_signal');
    // No personal data in the evidence of a refusal.
    expect(JSON.stringify(record)).not.toMatch(/mallory|Engineering/i);
    await vi.waitFor(() => expect(alerts(event.eventId)).toHaveLength(1), { timeout: 15_000, interval: 50 });
    expect(JSON.stringify(alerts(event.eventId))).not.toMatch(/mallory/i);
    const received = (await world.engine.services.evidence.forEmployee(`${id1}`)).filter((e) => e.action === 'hr_event.received');
    expect(received).toHaveLength(0);
    await expect(world.engine.client.workflow.getHandle(joinerWorkflowId('bamboohr', `${id1}`, event.eventId)).describe()).rejects.toThrow();
    expect(peerCalls()).toBe(before);
  });

  it('a termination signalled into a running worker workflow: refused, no leaver; then a genuine one through the webhook works', async () => {
    world.targets.seedWorker(`tom.${id2}@acme.test`, ['everyone']);
    const hired = await hire(`${id2}`, `tom.${id2}@acme.test`, '2020-01-06');
    await resultOf<JoinerResult>(world.engine.client, hired.workflowIds.find((w) => w.startsWith('joiner-'))!);
    const before = peerCalls();
    const event = forged(`${id2}`, 'terminate', { workEmail: `tom.${id2}@acme.test`, status: 'Inactive' });
    await world.engine.client.workflow.getHandle(employeeWorkflowId('bamboohr', `${id2}`)).signal(hrEventSignal, event);
    expect((await unverified(`${id2}`, event.eventId)).context.reason).toBe('not_in_inbox');
    await vi.waitFor(() => expect(alerts(event.eventId)).toHaveLength(1), { timeout: 15_000, interval: 50 });
    await expect(world.engine.client.workflow.getHandle(leaverWorkflowId('bamboohr', `${id2}`, event.eventId)).describe()).rejects.toThrow();
    expect(peerCalls()).toBe(before);
    expect(world.targets.okta.user(`tom.${id2}@acme.test`)?.status).toBe('ACTIVE');

    const delivery = terminationDelivery(`${id2}`, `tom.${id2}@acme.test`, '2020-02-03');
    world.bamboo.setEmployee(`${id2}`, delivery.employees[0]!.fields);
    const res = await postBambooWebhook(world.engine.url, delivery);
    expect(res.status).toBe(202);
    const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
    const done = await resultOf<LeaverResult>(world.engine.client, leaverId);
    expect(done.rescinded).toBe(false);
    expect(world.targets.okta.user(`tom.${id2}@acme.test`)?.status).not.toBe('ACTIVE');
    await recordHistory(world.engine.client, 'employee-hr-event-refused', employeeWorkflowId('bamboohr', `${id2}`));
  });

  it('a genuine event with its content changed, or forged under a stored ID, is refused the same way', async () => {
    world.targets.seedWorker(`gina.${id3}@acme.test`, ['everyone']);
    const hired = await hire(`${id3}`, `gina.${id3}@acme.test`, '2020-01-06');
    await resultOf<JoinerResult>(world.engine.client, hired.workflowIds.find((w) => w.startsWith('joiner-'))!);
    const stored = (await world.engine.services.db.query<{ payload: HrEvent }>(`SELECT payload FROM hr_inbox WHERE event_id = $1`, [hired.eventId])).rows[0]!.payload;
    const before = peerCalls();
    // A leaver started directly, for the stored hire's ID with a termination's kind.
    const asLeaver = { ...stored, kind: 'terminate' as const };
    const leaverId = leaverWorkflowId('bamboohr', `${id3}`, 'forged');
    const refused = await world.engine.client.workflow.execute<(i: { event: HrEvent }) => Promise<LeaverRefused>>('leaverWorkflow', {
      workflowId: leaverId,
      taskQueue: world.engine.taskQueue,
      args: [{ event: asLeaver }],
    });
    expect(refused).toEqual({ rescinded: false, refused: 'hr_event_unverified' });
    const other = (await evidenceOf(world.engine, `${id3}`, 'hr_event.unverified')).find((e) => e.context.workflowId === leaverId)!;
    expect(other.context).toMatchObject({ reason: 'other_kind', path: 'lifecycle_start', hrEventId: hired.eventId });
    // The stored hire, with a department that grants more: the content differs from the inbox row.
    const joinerId = joinerWorkflowId('bamboohr', `${id3}`, 'forged');
    const joiner = await world.engine.client.workflow.execute<(i: { event: HrEvent }) => Promise<JoinerResult>>('joinerWorkflow', {
      workflowId: joinerId,
      taskQueue: world.engine.taskQueue,
      args: [{ event: { ...stored, worker: { ...stored.worker, department: 'Engineering' } } }],
    });
    expect(joiner.refused).toBe('hr_event_unverified');
    expect(joiner.granted).toEqual([]);
    const changed = (await evidenceOf(world.engine, `${id3}`, 'hr_event.unverified', 2)).find((e) => e.context.workflowId === joinerId)!;
    expect(changed.context.reason).toBe('content_differs');
    await vi.waitFor(() => expect(alerts(hired.eventId)).toHaveLength(2), { timeout: 15_000, interval: 50 });
    expect(peerCalls()).toBe(before);
    expect(world.targets.scim.user(`gina.${id3}@acme.test`)?.groups ?? []).not.toContain('engineering');
  });

  it('a change signalled into a waiting joiner is refused; a genuine change through the webhook re-plans it', async () => {
    const hired = await hire(`${id4}`, `wade.${id4}@acme.test`, dateIn(10));
    const joinerId = hired.workflowIds.find((w) => w.startsWith('joiner-'))!;
    await waitForWorkflow(world.engine.client, joinerId);
    const event = forged(`${id4}`, 'change', { workEmail: `wade.${id4}@acme.test`, department: 'Engineering' }, `bamboohr:${id4}:forged-change`);
    await world.engine.client.workflow.getHandle(joinerId).signal(joinerChangeSignal, event);
    const record = await unverified(`${id4}`, event.eventId);
    expect(record.context).toMatchObject({ reason: 'not_in_inbox', path: 'lifecycle_signal', workflowId: joinerId });
    await vi.waitFor(() => expect(alerts(event.eventId)).toHaveLength(1), { timeout: 15_000, interval: 50 });
    const replanned = () => world.engine.services.evidence.forEmployee(`${id4}`).then((all) => all.filter((e) => e.action === 'joiner.replanned'));
    expect(await replanned()).toHaveLength(0);

    // The same change, signed and delivered by BambooHR: taken in and handed to the joiner.
    const res = await postBambooWebhook(world.engine.url, {
      employees: [{ id: `${id4}`, action: 'Updated', timestamp: new Date().toISOString(), changedFields: ['department'], fields: { workEmail: `wade.${id4}@acme.test`, department: 'Engineering' } }],
    });
    expect(res.status).toBe(202);
    const genuineId = (res.body.events as { eventId: string }[])[0]!.eventId;
    const received = await evidenceOf(world.engine, `${id4}`, 'hr_event.received', 2);
    expect(received.map((e) => e.context.hrEventId)).toContain(genuineId);
    await vi.waitFor(async () => expect(await replanned()).toHaveLength(1), { timeout: 15_000, interval: 100 });
    const refusals = (await world.engine.services.evidence.forEmployee(`${id4}`)).filter((e) => e.action === 'hr_event.unverified');
    expect(refusals.map((e) => e.context.hrEventId)).toEqual([event.eventId]);
    await recordHistory(world.engine.client, 'joiner-change-refused', joinerId);
  });
});
