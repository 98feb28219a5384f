import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord, VerifyResult } from '../../src/evidence/types';
import type { OffboardingReport } from '../../src/reports/offboarding';
import type { LeaverResult } from '../../workflows/leaver';
import { statusQuery } from '../../src/temporal/messages';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

let targets: Targets;
let engine: TestEngine;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  targets = await startTargets();
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${engine.url}${path}`, { headers: { authorization: `Bearer ${auditorToken}` } });
  return { status: res.status, text: await res.text() };
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await get(path);
  return { status: res.status, body: JSON.parse(res.text) as T };
}

type EvidenceAnswer = { count: number; events: EvidenceRecord[] };

describe('a leaver, end to end', () => {
  const login = 'dana.leaver@acme.test';
  const delivery = terminationDelivery('501', login, yesterday);

  it('kills sessions and disables accounts in both systems within the SLA, with evidence and a report row', async () => {
    targets.seedWorker(login, ['engineering', 'prod-readonly']);
    expect(targets.okta.sessionsOf(login)).toBeGreaterThan(0);

    const res = await postBambooWebhook(engine.url, delivery);
    expect(res.status).toBe(202);
    const events = res.body.events as { kind: string; duplicate: boolean; workflowIds: string[] }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'terminate', duplicate: false });
    const leaverId = events[0]!.workflowIds.find((id) => id.startsWith('leaver-bamboohr-501-'));
    expect(leaverId).toBeDefined();
    expect(events[0]!.workflowIds).toContain('employee-bamboohr-501');

    const result = await resultOf<LeaverResult>(engine.client, leaverId!);
    expect(result.slaBreached).toBe(false);

    // The systems themselves show the end state.
    expect(targets.okta.sessionsOf(login)).toBe(0);
    expect(targets.okta.user(login)?.status).toBe('SUSPENDED');
    expect(targets.okta.user(login)?.groups.filter((g) => g !== 'Everyone')).toEqual([]);
    expect(targets.scim.user(login)?.active).toBe(false);
    expect(targets.scim.user(login)?.groups).toEqual([]);

    // Evidence, as the auditor sees it.
    const evidence = await getJson<EvidenceAnswer>('/api/employees/501/evidence');
    expect(evidence.status).toBe(200);
    const actions = evidence.body.events.map(
      (e) => `${e.action}${e.system ? `@${e.system}` : ''}:${e.outcome}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'hr_event.received:success',
        'leaver.started:success',
        'sessions.kill@okta:success',
        // SCIM has no session call: disabling the account is what ends its sessions.
        'account.disable@aws:success',
        'leaver.sessions_killed:success',
        'account.disable@okta:success',
        'entitlement.revoke@okta:success',
        'entitlement.revoke@aws:success',
        'leaver.completed:success',
      ]),
    );
    expect(actions.some((a) => a.startsWith('leaver.sla_breach'))).toBe(false);
    expect(actions).not.toContain('sessions.kill@aws:success');

    const verify = await getJson<VerifyResult>('/api/evidence/verify');
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checked).toBe(evidence.body.count);

    // The offboarding report has the row, within the SLA.
    const report = await getJson<OffboardingReport>(`/api/reports/offboarding?from=${yesterday}&to=${yesterday}&format=json`);
    expect(report.status).toBe(200);
    const row = report.body.leavers.find((l) => l.employeeId === '501');
    expect(row).toMatchObject({ hrSource: 'bamboohr', withinSla: true, slaSeconds: 60 });
    expect(row!.secondsToSessionsKilled).toBeLessThan(60);
    expect(Object.keys(row!.systems).sort()).toEqual(['aws', 'okta']);
    expect(row!.systems.okta).toMatchObject({ outcome: 'killed' });
    expect(row!.systems.aws).toMatchObject({ outcome: 'disabled' });
    // The leaver's sessionsKilledAt is when the last system's sessions ended.
    const ends = [row!.systems.okta!.sessionsKilledAt!, row!.systems.aws!.sessionsKilledAt!].sort();
    expect(row!.sessionsKilledAt).toBe(ends[1]);
    expect(report.body.summary).toMatchObject({ count: 1, open: 0 });

    const csv = await get(`/api/reports/offboarding?from=${yesterday}&to=${yesterday}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toContain('employeeId,hrSource,terminationEffectiveAt');
    expect(csv.text).toContain('501,bamboohr');
  });

  it('changes nothing when the same delivery arrives again', async () => {
    const writesBefore = targets.writeCount();
    const evidenceBefore = (await getJson<EvidenceAnswer>('/api/employees/501/evidence')).body.count;
    const res = await postBambooWebhook(engine.url, delivery);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 0, duplicates: 1 });
    // Give a wrongly started workflow time to act before checking that nothing did.
    await new Promise((r) => setTimeout(r, 1500));
    expect(targets.writeCount()).toBe(writesBefore);
    expect((await getJson<EvidenceAnswer>('/api/employees/501/evidence')).body.count).toBe(evidenceBefore);
    const status = await engine.client.workflow.getHandle('employee-bamboohr-501').query(statusQuery);
    expect(status.appliedEvents).toBe(1);
  });
});

describe('rejected deliveries start nothing', () => {
  it.each([
    ['a forged signature', 401, '502', { signature: 'a'.repeat(64) }],
    ['a signature made with another secret', 401, '503', { secret: 'not-the-secret' }],
    ['malformed JSON', 400, '504', { raw: '{"employees": [ {"id": "504",' }],
  ] as const)('%s gets %i and no peer sees a write', async (_name, status, id, options) => {
    const login = `erin.${id}@acme.test`;
    targets.seedWorker(login);
    const writesBefore = targets.writeCount();
    const res = await postBambooWebhook(engine.url, terminationDelivery(id, login, yesterday), options);
    expect(res.status).toBe(status);
    await new Promise((r) => setTimeout(r, 1000));
    expect(targets.writeCount()).toBe(writesBefore);
    expect(targets.okta.user(login)?.status).toBe('ACTIVE');
    await expect(engine.client.workflow.getHandle(`employee-bamboohr-${id}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
