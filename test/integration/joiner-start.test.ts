import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { JoinerResult } from '../../workflows/joiner';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf, waitForWorkflow } from '../harness/workflows';

// Employee IDs 930-939 (the ranges are listed in test/harness/workflows.ts).

let targets: Targets;
let engine: TestEngine;
/** The instant `joiner.startLocalTime` names today (UTC) for this file's engine. */
let startAt: Date;
const day = 86_400_000;
const wait = { timeout: 15_000, interval: 100 };

const policy = `
policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
leaver: { defaultTimeZone: UTC }
`;

/**
 * An engine whose local start of day is a few seconds ahead. The time has to be in the config
 * before the engine starts, and starting one takes seconds, so the instant is picked with room
 * for that and picked again (with more room) when the start took so long that too little is left.
 */
async function engineStartingSoon(): Promise<{ engine: TestEngine; startAt: Date }> {
  const needLeft = 6_000;
  let room = 12_000;
  for (let attempt = 1; ; attempt++) {
    // Whole seconds (HH:MM:SS). The hire is dated with the instant's own UTC date, so a run just
    // before midnight UTC starts on the next date.
    const at = new Date(Math.ceil((Date.now() + room) / 1000) * 1000);
    const time = at.toISOString().slice(11, 19);
    const yaml = `${targets.systemsYaml}\n${policy}\njoiner: { provisionLeadTime: 3d, startLocalTime: "${time}" }\n`;
    const began = Date.now();
    const started = await startTestEngine({ yaml, env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret }, secrets: targets.secrets });
    const took = Date.now() - began;
    expect(started.config.file.joiner.startLocalTime).toBe(time);
    if (at.getTime() - Date.now() >= needLeft || attempt === 3) return { engine: started, startAt: at };
    await started.close();
    room = needLeft + 2 * took;
  }
}

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['staff', 'engineering']);
  ({ engine, startAt } = await engineStartingSoon());
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

function hire(id: string, login: string, hireDate: string) {
  return postBambooWebhook(engine.url, {
    employees: [
      {
        id,
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: { workEmail: login, firstName: 'New', lastName: 'Starter', status: 'Active', terminationDate: null, hireDate, department: 'Engineering', jobTitle: 'Engineer' },
      },
    ],
  });
}

function joinerIdOf(body: Record<string, unknown>): string {
  const ids = (body.events as { workflowIds: string[] }[])[0]!.workflowIds;
  return ids.find((w) => w.startsWith('joiner-'))!;
}

const evidenceOf = (id: string): Promise<EvidenceRecord[]> => engine.services.evidence.forEmployee(id);
const okta = (login: string) => targets.okta.user(login);
const scim = (login: string) => targets.scim.user(login);

async function scheduledActivities(workflowId: string): Promise<string[]> {
  const history = await engine.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
}

async function timersStarted(workflowId: string): Promise<number> {
  const history = await engine.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
}

describe('joiner start of day (joiner.startLocalTime)', () => {
  it('creates the accounts inactive within the lead time, then enables them at the local start time', async () => {
    const login = 'stella.start@acme.test';
    const startDate = startAt.toISOString().slice(0, 10);
    const res = await hire('930', login, startDate);
    expect(res.status).toBe(202);
    const joinerId = joinerIdOf(res.body);
    await waitForWorkflow(engine.client, joinerId);

    // The lead time (3 days) has begun, so provisioning happens at once: accounts exist, inactive.
    await vi.waitFor(async () => expect((await evidenceOf('930')).map((e) => e.action)).toContain('joiner.provisioned'), wait);
    expect(okta(login)).toMatchObject({ status: 'STAGED', groups: expect.arrayContaining(['staff']) });
    expect(scim(login)).toMatchObject({ active: false, groups: ['engineering'] });
    const handle = engine.client.workflow.getHandle(joinerId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    // Waiting on a durable timer for the start, nothing enabled yet.
    await vi.waitFor(async () => expect(await timersStarted(joinerId)).toBeGreaterThan(0), wait);
    expect(await scheduledActivities(joinerId)).not.toContain('enableAccount');
    const before = await evidenceOf('930');
    expect(before.filter((e) => e.action === 'account.enable')).toEqual([]);
    expect(before.find((e) => e.action === 'joiner.started')?.context).toMatchObject({ startAt: startAt.toISOString(), timeZone: 'UTC' });
    // All of the above was seen before the start, so it is the state before the start.
    expect(Date.now()).toBeLessThan(startAt.getTime());

    // At the start: both accounts enabled (Okta activates a user without a password as PROVISIONED).
    const untilStart = { ...wait, timeout: startAt.getTime() - Date.now() + wait.timeout };
    await vi.waitFor(() => expect(okta(login)?.status).toBe('PROVISIONED'), untilStart);
    await vi.waitFor(() => expect(scim(login)?.active).toBe(true), untilStart);
    const result = await resultOf<JoinerResult>(engine.client, joinerId);
    expect(result.startAt).toBe(startAt.toISOString());
    expect(result.rescinded).toBe(false);
    expect(result.created.map((s) => s.system).sort()).toEqual(['aws', 'okta']);
    expect(result.enabled.map((s) => `${s.system}:${s.outcome}`).sort()).toEqual(['aws:success', 'okta:success']);

    const evidence = await evidenceOf('930');
    const enabled = evidence.filter((e) => e.action === 'account.enable');
    expect(enabled.map((e) => `${e.system}:${e.outcome}`).sort()).toEqual(['aws:success', 'okta:success']);
    for (const e of enabled) expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(startAt.getTime());
    // The systems saw the activation no earlier than the start, too.
    const activations = [
      ...targets.okta.writes().filter((r) => r.method === 'POST' && r.path.includes(okta(login)!.id) && r.path.endsWith('/lifecycle/activate')),
      ...targets.scim.writes().filter((r) => r.method === 'PATCH' && r.path.endsWith(`/Users/${scim(login)!.id}`)),
    ];
    expect(activations).toHaveLength(2);
    for (const r of activations) expect(r.at).toBeGreaterThanOrEqual(startAt.getTime());
    expect(evidence.map((e) => e.action)).toContain('joiner.completed');
  });

  it('creates the accounts active at once for a worker who has already started, with no enable step', async () => {
    const login = 'yuri.yesterday@acme.test';
    const res = await hire('931', login, new Date(Date.now() - day).toISOString().slice(0, 10));
    expect(res.status).toBe(202);
    const joinerId = joinerIdOf(res.body);
    const result = await resultOf<JoinerResult>(engine.client, joinerId);
    expect(Date.parse(result.startAt)).toBeLessThan(Date.now() - day / 2);
    expect(result.enabled).toEqual([]);
    expect(result.created.map((s) => `${s.system}:${s.outcome}`).sort()).toEqual(['aws:success', 'okta:success']);
    expect(okta(login)).toMatchObject({ status: 'PROVISIONED', groups: expect.arrayContaining(['staff']) });
    expect(scim(login)).toMatchObject({ active: true, groups: ['engineering'] });
    expect(await scheduledActivities(joinerId)).not.toContain('enableAccount');
    expect(await timersStarted(joinerId)).toBe(0);
    expect((await evidenceOf('931')).filter((e) => e.action === 'account.enable')).toEqual([]);
    expect(targets.okta.writes().filter((r) => r.path.includes(okta(login)!.id) && r.path.endsWith('/lifecycle/activate'))).toEqual([]);
  });
});
