import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { joinerWorkflowId, moverWorkflowId } from '../../src/hris/hr-event';
import { approveActionId } from '../../src/slack/ids';
import { Lifecycle } from '../../src/temporal/search-attributes';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import type { MoverResult } from '../../workflows/mover';
import { approvalMessageFor, click, deliver, ephemeralsTo, evidenceOf, pendingApproval, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * A termination comes first: it never waits behind a mover's grace period, a pending approval
 * or a joiner's start date. Real engine (dev server, database), Okta peer + SCIM server, Slack
 * Web API peer and signed Slack clicks. Employee IDs 41xx.
 */
const manager: Person = { slackId: 'U41MGR', email: 'tess.manager@acme.test', employeeId: '4190' };
const lead: Person = { slackId: 'U41LEAD', email: 'ian.lead@acme.test', employeeId: '4191' };

let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld({
    people: [manager, lead],
    yaml: `
policy:
  birthright:
    - { system: okta, entitlements: ["group:everyone"] }
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
    - name: sales
      when: { department: Sales }
      grant: [{ system: aws, entitlements: ["group:sales"] }]
    - name: SRE
      when: { jobTitle: "/SRE/" }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
approvals: { timeout: 1h, remindEvery: 1h, fallbackApprovers: ["${lead.slackId}"] }
joiner: { provisionLeadTime: 3d }
mover: { revokeOldAccessAfter: 7d }
`,
  });
  world.targets.seedGroups(['sales']);
});

afterAll(async () => {
  await world?.close();
});

const day = 86_400_000;
const dateIn = (days: number) => new Date(Date.now() + days * day).toISOString().slice(0, 10);
const awsGroups = (login: string) => [...(world.targets.scim.user(login)?.groups ?? [])].sort();
const oktaGroups = (login: string) => (world.targets.okta.user(login)?.groups ?? []).filter((g) => g !== 'Everyone');
const patience = { timeout: 20_000, interval: 100 };

function record(email: string, fields: Record<string, string | null> = {}) {
  return { workEmail: email, firstName: 'Tia', lastName: 'First', status: 'Active', hireDate: dateIn(-30), terminationDate: null, supervisorEId: manager.employeeId, ...fields };
}

async function terminate(employeeId: string, email: string, fields: Record<string, string | null> = {}) {
  const event = await deliver(world, employeeId, 'Updated', record(email, { status: 'Inactive', terminationDate: dateIn(0), terminationType: 'Involuntary', ...fields }), ['status', 'terminationDate']);
  expect(event.kind).toBe('terminate');
  return { ...event, leaverId: event.workflowIds.find((w) => w.startsWith('leaver-'))! };
}

/** Everything the worker could still use: live sessions, active accounts, groups. */
function accessLeft(email: string) {
  const okta = world.targets.okta.user(email);
  const scim = world.targets.scim.user(email);
  return { oktaSessions: okta?.sessions ?? 0, oktaActive: okta?.status === 'ACTIVE', oktaGroups: oktaGroups(email), awsActive: scim?.active ?? false, awsGroups: awsGroups(email) };
}
const nothingLeft = { oktaSessions: 0, oktaActive: false, oktaGroups: [], awsActive: false, awsGroups: [] };

describe('a termination comes first', () => {
  it("during a mover's 7-day grace period and its pending approval: sessions end within the SLA, the mover stops, the approval is cancelled and a late click grants nothing", async () => {
    const worker: Person = { slackId: 'U41W01', email: 'mo.mover@acme.test', employeeId: '4101' };
    // Already in Okta and signed in (the joiner finds the account and leaves it as it is).
    world.targets.okta.seedUser({ login: worker.email, status: 'ACTIVE', sessions: 2, oauthTokens: 1 });
    const hire = await deliver(world, worker.employeeId, 'Created', record(worker.email, { department: 'Engineering', jobTitle: 'Engineer' }));
    await resultOf<JoinerResult>(world.engine.client, joinerWorkflowId('bamboohr', worker.employeeId, hire.eventId));

    // A move to Sales as an SRE: sales at once, prod-admin waits for the manager, engineering goes after 7 days.
    const move = await deliver(world, worker.employeeId, 'Updated', record(worker.email, { department: 'Sales', jobTitle: 'SRE' }), ['department', 'jobTitle']);
    const moverId = moverWorkflowId('bamboohr', worker.employeeId, move.eventId);
    const approval = await pendingApproval(world.engine, worker.employeeId);
    const message = await approvalMessageFor(world.slack, manager, approval.approvalId);
    await vi.waitFor(() => expect(awsGroups(worker.email)).toEqual(['engineering', 'sales']), patience);

    const fired = await terminate(worker.employeeId, worker.email, { department: 'Sales', jobTitle: 'SRE' });
    const leaver = await resultOf<LeaverResult>(world.engine.client, fired.leaverId);
    expect(leaver.slaBreached).toBe(false);
    expect(accessLeft(worker.email)).toEqual(nothingLeft);
    expect(leaver.systems.map((s) => `${s.system}:${s.how}`).sort()).toEqual(['aws:disabled', 'okta:killed']);

    const mover = await resultOf<MoverResult>(world.engine.client, moverId);
    expect(mover).toMatchObject({ withdrawn: 'worker_left', revoked: [] });
    expect((await world.engine.services.approvals.get(approval.approvalId))?.status).toBe('cancelled');
    const [cancelled] = await evidenceOf(world.engine, worker.employeeId, 'approval.cancelled');
    expect(cancelled).toMatchObject({ outcome: 'skipped', entitlement: 'group:prod-admin', context: expect.objectContaining({ reason: 'worker_left', approvalId: approval.approvalId }) });
    await evidenceOf(world.engine, worker.employeeId, 'mover.withdrawn');
    // The manager's message now says it was withdrawn, with no buttons left.
    await vi.waitFor(() => {
      const updated = world.slack.messages().find((m) => m.ts === message.ts)!;
      expect(JSON.stringify(updated.blocks)).toMatch(/cancelled/i);
      expect(JSON.stringify(updated.blocks)).toContain('worker has left');
      expect(JSON.stringify(updated.blocks)).not.toContain(approveActionId);
    }, patience);

    // The manager clicks Approve on the stale message: refused, answered, recorded; nothing granted.
    expect((await click(world.engine, manager, message, approveActionId, approval.approvalId)).status).toBe(200);
    expect((await ephemeralsTo(world.slack, manager))[0]).toMatch(/withdrawn/);
    const [refused] = await evidenceOf(world.engine, worker.employeeId, 'approval.refused');
    expect(refused).toMatchObject({ actorId: manager.slackId, context: expect.objectContaining({ reason: 'cancelled' }) });
    await new Promise((r) => setTimeout(r, 500));
    expect(awsGroups(worker.email)).toEqual([]);
    expect((await evidenceOf(world.engine, worker.employeeId, 'entitlement.grant', 1)).map((e) => e.entitlement)).not.toContain('group:prod-admin');

    // The session kill did not wait for the mover: it came before the mover had stopped.
    const evidence = await world.engine.services.evidence.forEmployee(worker.employeeId);
    const killedAt = evidence.find((e) => e.action === 'sessions.kill' && e.system === 'okta' && e.outcome === 'success')!.occurredAt;
    const moverStopped = evidence.find((e) => e.action === 'mover.withdrawn')!.occurredAt;
    expect(Date.parse(killedAt)).toBeLessThanOrEqual(Date.parse(moverStopped));
    await vi.waitFor(async () => {
      const entity = await world.engine.client.workflow.getHandle(`employee-bamboohr-${worker.employeeId}`).describe();
      expect(entity.typedSearchAttributes.get(Lifecycle)).toBe('terminated');
    }, patience);
    await recordHistory(world.engine.client, 'mover-withdrawn', moverId);
    await recordHistory(world.engine.client, 'leaver-coordinated', fired.leaverId);
    await recordHistory(world.engine.client, 'employee-termination-first', `employee-bamboohr-${worker.employeeId}`);
  });

  it("during a joiner's pending approval: the joiner stops, its approval is cancelled and the click after it grants nothing", async () => {
    const worker: Person = { slackId: 'U41W02', email: 'jo.joiner@acme.test', employeeId: '4102' };
    const hire = await deliver(world, worker.employeeId, 'Created', record(worker.email, { department: 'Engineering', jobTitle: 'SRE', hireDate: dateIn(-1) }));
    const joinerId = joinerWorkflowId('bamboohr', worker.employeeId, hire.eventId);
    const approval = await pendingApproval(world.engine, worker.employeeId);
    const message = await approvalMessageFor(world.slack, manager, approval.approvalId);
    await vi.waitFor(() => expect(awsGroups(worker.email)).toEqual(['engineering']), patience);

    const fired = await terminate(worker.employeeId, worker.email, { department: 'Engineering', jobTitle: 'SRE', hireDate: dateIn(-1) });
    const leaver = await resultOf<LeaverResult>(world.engine.client, fired.leaverId);
    expect(leaver.slaBreached).toBe(false);
    const joiner = await resultOf<JoinerResult>(world.engine.client, joinerId);
    expect(joiner.withdrawn).toBe('worker_left');
    expect(joiner.approvals.map((a) => a.outcome)).toEqual(['skipped']);
    expect((await world.engine.services.approvals.get(approval.approvalId))).toMatchObject({ status: 'cancelled', reason: 'worker_left', decidedBy: 'jml-engine' });

    await click(world.engine, manager, message, approveActionId, approval.approvalId);
    expect((await ephemeralsTo(world.slack, manager, 2)).at(-1)).toMatch(/withdrawn/);
    await new Promise((r) => setTimeout(r, 500));
    expect(accessLeft(worker.email)).toEqual(nothingLeft);
    await recordHistory(world.engine.client, 'joiner-withdrawn', joinerId);
  });

  it('before the start date: the joiner waiting for it stops, and nothing is ever enabled', async () => {
    const worker: Person = { slackId: 'U41W03', email: 'sy.starter@acme.test', employeeId: '4103' };
    const hire = await deliver(world, worker.employeeId, 'Created', record(worker.email, { department: 'Engineering', jobTitle: 'Engineer', hireDate: dateIn(2) }));
    const joinerId = joinerWorkflowId('bamboohr', worker.employeeId, hire.eventId);
    await vi.waitFor(() => expect(awsGroups(worker.email)).toEqual(['engineering']), patience);
    expect(world.targets.okta.user(worker.email)?.status).toBe('STAGED');

    const fired = await terminate(worker.employeeId, worker.email, { department: 'Engineering', hireDate: dateIn(2), terminationDate: dateIn(0) });
    await resultOf<LeaverResult>(world.engine.client, fired.leaverId);
    expect((await resultOf<JoinerResult>(world.engine.client, joinerId)).withdrawn).toBe('worker_left');
    expect(accessLeft(worker.email)).toEqual(nothingLeft);
    expect(world.targets.okta.user(worker.email)?.status).toBe('DEPROVISIONED');
    expect((await world.engine.services.evidence.forEmployee(worker.employeeId)).some((e) => e.action === 'account.enable')).toBe(false);
  });

  it('a dismissal effective today brings forward a resignation dated next week', async () => {
    const worker: Person = { slackId: 'U41W04', email: 'rey.resigns@acme.test', employeeId: '4104' };
    world.targets.seedWorker(worker.email, ['engineering']);
    // The resignation: effective at the cutoff next week; the leaver waits for it.
    const resignation = await deliver(world, worker.employeeId, 'Updated', record(worker.email, { terminationDate: dateIn(7) }), ['terminationDate']);
    expect(resignation.kind).toBe('terminate');
    const leaverId = resignation.workflowIds.find((w) => w.startsWith('leaver-'))!;
    await evidenceOf(world.engine, worker.employeeId, 'leaver.started');
    expect(accessLeft(worker.email).oktaActive).toBe(true);

    // Then dismissed for cause, effective now: the same leaver runs at once.
    const dismissal = await terminate(worker.employeeId, worker.email);
    expect(dismissal.leaverId).not.toBe(leaverId);
    const result = await resultOf<LeaverResult>(world.engine.client, leaverId);
    expect(result.slaBreached).toBe(false);
    expect(accessLeft(worker.email)).toEqual(nothingLeft);
    const [moved] = await evidenceOf(world.engine, worker.employeeId, 'leaver.rescheduled');
    expect(moved!.context).toMatchObject({ hrEventId: dismissal.eventId, previousHrEventId: resignation.eventId });
    expect(Date.parse(String(moved!.context.terminationEffectiveAt))).toBeLessThan(Date.now());
    expect(Date.parse(String(moved!.context.previousTerminationEffectiveAt))).toBeGreaterThan(Date.now() + 5 * day);
    // The dismissal started no second leaver.
    await expect(world.engine.client.workflow.getHandle(dismissal.leaverId).describe()).rejects.toThrow();

    // The report counts the leaver from the dismissal, within the SLA.
    const res = await fetch(`${world.engine.url}/api/reports/offboarding?from=${dateIn(-1)}&to=${dateIn(1)}&format=json`, { headers: { authorization: `Bearer ${(await import('../harness/test-engine')).auditorToken}` } });
    const row = ((await res.json()) as { leavers: { employeeId: string; terminationEffectiveAt: string; withinSla: boolean }[] }).leavers.find((l) => l.employeeId === worker.employeeId);
    expect(row).toMatchObject({ terminationEffectiveAt: moved!.context.terminationEffectiveAt, withinSla: true });
    await recordHistory(world.engine.client, 'leaver-rescheduled', leaverId);
  });

  it('a change before the start date re-plans the waiting joiner at once: the new role granted, what only the old gave removed', async () => {
    const worker: Person = { slackId: 'U41W05', email: 'pia.prestart@acme.test', employeeId: '4105' };
    const hire = await deliver(world, worker.employeeId, 'Created', record(worker.email, { department: 'Engineering', jobTitle: 'Engineer', hireDate: dateIn(2) }));
    const joinerId = joinerWorkflowId('bamboohr', worker.employeeId, hire.eventId);
    await vi.waitFor(() => expect(awsGroups(worker.email)).toEqual(['engineering']), patience);

    const change = await deliver(world, worker.employeeId, 'Updated', record(worker.email, { department: 'Sales', jobTitle: 'Engineer', hireDate: dateIn(2) }), ['department']);
    expect(change.kind).toBe('change');
    await vi.waitFor(() => expect(awsGroups(worker.email)).toEqual(['sales']), patience);
    const [replanned] = await evidenceOf(world.engine, worker.employeeId, 'joiner.replanned');
    expect(replanned!.context).toMatchObject({
      hrEventId: change.eventId,
      add: [{ system: 'aws', entitlement: 'group:sales', approvalRequired: false }],
      revoke: [{ system: 'aws', entitlement: 'group:engineering' }],
    });
    // Still the same joiner, still waiting for the start, still inactive; no mover was started.
    expect((await world.engine.client.workflow.getHandle(joinerId).describe()).status.name).toBe('RUNNING');
    expect(world.targets.scim.user(worker.email)?.active).toBe(false);
    await expect(world.engine.client.workflow.getHandle(moverWorkflowId('bamboohr', worker.employeeId, change.eventId)).describe()).rejects.toThrow();
    await recordHistory(world.engine.client, 'joiner-replanned', joinerId);
    await world.engine.client.workflow.getHandle(joinerId).terminate('test cleanup');
  });

  it('the leaver revokes what a stopped mover granted a moment before: disabling and revoking wait for its grant in flight', async () => {
    const worker: Person = { slackId: 'U41W06', email: 'rae.race@acme.test', employeeId: '4106' };
    const hire = await deliver(world, worker.employeeId, 'Created', record(worker.email, { department: 'Engineering', jobTitle: 'Engineer' }));
    await resultOf<JoinerResult>(world.engine.client, joinerWorkflowId('bamboohr', worker.employeeId, hire.eventId));
    // The move's grant reaches the SCIM server and is held there, in flight, while the worker is fired.
    const grant = world.targets.scim.holdNext('PATCH', '/Groups/');
    const move = await deliver(world, worker.employeeId, 'Updated', record(worker.email, { department: 'Sales' }), ['department']);
    await vi.waitFor(() => expect(grant.reached()).toBe(true), patience);
    const fired = await terminate(worker.employeeId, worker.email, { department: 'Sales' });
    // Both systems' sessions end at once: Okta's are killed, the SCIM account is disabled.
    await evidenceOf(world.engine, worker.employeeId, 'sessions.kill');
    await vi.waitFor(async () => {
      const ends = (await world.engine.services.evidence.forEmployee(worker.employeeId)).filter((e) => e.context.workflowId === fired.leaverId && e.action === 'account.disable' && e.system === 'aws');
      expect(ends.length).toBe(1);
    }, patience);
    await new Promise((r) => setTimeout(r, 1000));
    const early = await world.engine.services.evidence.forEmployee(worker.employeeId);
    expect(early.filter((e) => e.system === 'aws' && e.action === 'entitlements.revoke_all')).toEqual([]);

    grant.release();
    await resultOf<LeaverResult>(world.engine.client, fired.leaverId);
    expect(accessLeft(worker.email)).toEqual(nothingLeft);
    const mover = await resultOf<MoverResult>(world.engine.client, moverWorkflowId('bamboohr', worker.employeeId, move.eventId));
    expect(mover.withdrawn).toBe('worker_left');
    const revoked = (await world.engine.services.evidence.forEmployee(worker.employeeId)).find((e) => e.system === 'aws' && e.action === 'entitlements.revoke_all');
    expect(revoked?.context.revoked).toEqual(['group:engineering', 'group:sales']);
  });
});
