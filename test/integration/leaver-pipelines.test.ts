import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import { joinerWorkflowId } from '../../src/hris/hr-event';
import type { OffboardingReport } from '../../src/reports/offboarding';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { recordHistory, resultOf, waitForWorkflow } from '../harness/workflows';
import { startGatewayPeer, type GatewayPeer } from '../peers/gateway-peer';

/**
 * Each system runs its own leaver steps: one system's outage never holds up another's, and a
 * system that cannot be shown reachable never yields success or not_found. Real engine, Okta
 * peer, SCIM server, and hostile servers where a system should be. Employee IDs 42xx.
 */
let targets: Targets;
let engine: TestEngine;
let gateways: GatewayPeer[] = [];
let misconfigured: TestEngine;

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const evidenceOf = (e: TestEngine, id: string): Promise<EvidenceRecord[]> => e.services.evidence.forEmployee(id);

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['everyone', 'engineering']);
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
sla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }
policy:
  birthright: [{ system: okta, entitlements: ["group:everyone"] }]
  rules:
    - { name: engineering, when: { department: Engineering }, grant: [{ system: aws, entitlements: ["group:engineering"] }] }
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
  });
  // The same real systems, plus one whose base URL points at a gateway answering 404 to
  // everything, and one whose token was revoked.
  gateways = [await startGatewayPeer('not-found-json'), await startGatewayPeer('unauthorized')];
  misconfigured = await startTestEngine({
    yaml: `${targets.systemsYaml}
  - { id: ghost, type: okta, baseUrl: "${gateways[0]!.url}", tokenEnv: GHOST_TOKEN }
  - { id: revoked, type: scim, baseUrl: "${gateways[1]!.url}/scim/v2", tokenEnv: REVOKED_TOKEN }
sla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: { ...targets.secrets, GHOST_TOKEN: 'ghost-token-0123456789', REVOKED_TOKEN: 'revoked-token-0123456789' },
  });
});

afterAll(async () => {
  await misconfigured?.close();
  await engine?.close();
  await Promise.all(gateways.map((g) => g.close()));
  await targets?.close();
});

async function terminate(on: TestEngine, id: string, login: string): Promise<string> {
  const res = await postBambooWebhook(on.url, terminationDelivery(id, login, yesterday));
  expect(res.status).toBe(202);
  return (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
}

async function reportRow(on: TestEngine, id: string) {
  const res = await fetch(`${on.url}/api/reports/offboarding?from=${yesterday}&to=${yesterday}&format=json`, { headers: { authorization: `Bearer ${auditorToken}` } });
  return ((await res.json()) as OffboardingReport).leavers.find((l) => l.employeeId === id)!;
}

const secondsAfter = (start: string, at: string) => (Date.parse(at) - Date.parse(start)) / 1000;

describe('each system runs its own leaver steps', () => {
  it('one system answering 503 for a minute: the other is killed, disabled and revoked within the SLA; the report tells each apart', { timeout: 180_000 }, async () => {
    const login = 'otto.outage@acme.test';
    targets.seedWorker(login, ['engineering']);
    targets.scim.failFor(60_000, 503);
    const leaverId = await terminate(engine, '4201', login);

    // Okta is done long before the SCIM server is back, all three steps.
    await vi.waitFor(async () => {
      const okta = (await evidenceOf(engine, '4201')).filter((e) => e.system === 'okta' && e.outcome === 'success').map((e) => e.action);
      expect(okta).toEqual(expect.arrayContaining(['sessions.kill', 'account.disable', 'entitlements.revoke_all']));
    }, { timeout: 20_000, interval: 200 });
    expect(targets.okta.user(login)).toMatchObject({ sessions: 0, status: 'SUSPENDED' });
    expect(targets.okta.user(login)?.groups.filter((g) => g !== 'Everyone')).toEqual([]);
    expect(targets.scim.user(login)?.active).toBe(true);

    const result = await resultOf<LeaverResult>(engine.client, leaverId, 15_000);
    expect(targets.scim.user(login)).toMatchObject({ active: false, groups: [] });
    expect(result.slaBreached).toBe(true);
    const evidence = await evidenceOf(engine, '4201');
    const started = evidence.find((e) => e.action === 'leaver.started')!;
    const clockStart = String(started.context.hrEventReceivedAt);
    const okta = result.systems.find((s) => s.system === 'okta')!;
    const aws = result.systems.find((s) => s.system === 'aws')!;
    expect(okta.how).toBe('killed');
    expect(aws.how).toBe('disabled');
    expect(secondsAfter(clockStart, okta.sessionsEndedAt)).toBeLessThan(60);
    expect(secondsAfter(clockStart, aws.sessionsEndedAt)).toBeGreaterThanOrEqual(59);
    // Okta's disable and revoke did not wait for the SCIM server either.
    const oktaRevoked = evidence.find((e) => e.system === 'okta' && e.action === 'entitlements.revoke_all' && e.outcome === 'success')!;
    expect(secondsAfter(clockStart, oktaRevoked.occurredAt)).toBeLessThan(60);
    expect(evidence.some((e) => e.system === 'aws' && e.outcome === 'failure')).toBe(true);
    const breach = evidence.find((e) => e.action === 'leaver.sla_breach')!;
    expect(breach.context.pendingSystems).toEqual(['aws']);

    const row = await reportRow(engine, '4201');
    expect(row.withinSla).toBe(false);
    expect(row.systems.okta).toMatchObject({ outcome: 'killed', sessionsKilledAt: okta.sessionsEndedAt });
    expect(row.systems.aws).toMatchObject({ outcome: 'disabled', sessionsKilledAt: aws.sessionsEndedAt });
    expect(row.sessionsKilledAt).toBe(aws.sessionsEndedAt);
    await recordHistory(engine.client, 'leaver-pipelines-outage', leaverId);
  });

  it('an account the engine created before and that is gone now is not_found, flagged as vanished', async () => {
    const login = 'vera.vanished@acme.test';
    const hire = await postBambooWebhook(engine.url, {
      employees: [{ id: '4202', action: 'Created', timestamp: new Date().toISOString(), changedFields: [], fields: { workEmail: login, firstName: 'Vera', lastName: 'V', status: 'Active', hireDate: yesterday, terminationDate: null, department: 'Engineering' } }],
    });
    expect(hire).toMatchObject({ status: 202 });
    const joinerId = joinerWorkflowId('bamboohr', '4202', (hire.body.events as { eventId: string }[])[0]!.eventId);
    await resultOf<JoinerResult>(engine.client, joinerId);
    targets.scim.deleteUser(login); // removed by hand in the SCIM app

    const result = await resultOf<LeaverResult>(engine.client, await terminate(engine, '4202', login));
    expect(result.systems.find((s) => s.system === 'aws')).toMatchObject({ how: 'not_found', vanished: true });
    const flagged = (await evidenceOf(engine, '4202')).filter((e) => e.system === 'aws' && e.outcome === 'not_found');
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((e) => e.context.previouslySeen === true)).toBe(true);
    const row = await reportRow(engine, '4202');
    expect(row.systems.aws).toMatchObject({ outcome: 'not_found' });
    expect(row.exceptions.some((x) => x.includes('account the engine knew of is absent now'))).toBe(true);
  });

  it('a wrong base URL or a revoked token never yields success or not_found; the other systems finish', { timeout: 60_000 }, async () => {
    const login = 'gale.gateway@acme.test';
    targets.seedWorker(login, ['engineering']);
    const leaverId = await terminate(misconfigured, '4203', login);
    await waitForWorkflow(misconfigured.client, leaverId);
    await vi.waitFor(async () => {
      const done = (await evidenceOf(misconfigured, '4203')).filter((e) => ['okta', 'aws'].includes(e.system ?? '') && e.action === 'entitlements.revoke_all' && e.outcome === 'success');
      expect(done.map((e) => e.system).sort()).toEqual(['aws', 'okta']);
    }, { timeout: 20_000, interval: 200 });
    // Give the misconfigured systems several retries.
    await vi.waitFor(async () => {
      const failures = (await evidenceOf(misconfigured, '4203')).filter((e) => e.outcome === 'failure');
      expect(new Set(failures.map((e) => e.system))).toEqual(new Set(['ghost', 'revoked']));
      expect(failures.filter((e) => e.system === 'ghost').length).toBeGreaterThanOrEqual(2);
    }, { timeout: 20_000, interval: 200 });

    const evidence = await evidenceOf(misconfigured, '4203');
    const bad = evidence.filter((e) => e.system === 'ghost' || e.system === 'revoked');
    expect(bad.map((e) => e.outcome).filter((o) => o !== 'failure')).toEqual([]);
    expect(bad.find((e) => e.system === 'revoked')?.context.reason).toMatch(/^unauthorized/);
    expect(bad.find((e) => e.system === 'ghost')?.context.reason).toMatch(/^unavailable/);
    expect(targets.okta.user(login)).toMatchObject({ sessions: 0, status: 'SUSPENDED' });
    expect(targets.scim.user(login)).toMatchObject({ active: false, groups: [] });
    expect((await misconfigured.client.workflow.getHandle(leaverId).describe()).status.name).toBe('RUNNING');
    const row = await reportRow(misconfigured, '4203');
    expect(row).toMatchObject({ sessionsKilledAt: null, accessRevokedAt: null });
    expect(row.systems).toMatchObject({ okta: { outcome: 'killed' }, aws: { outcome: 'disabled' }, ghost: { outcome: 'failed' }, revoked: { outcome: 'failed' } });
    await misconfigured.client.workflow.getHandle(leaverId).terminate('test cleanup');
  });
});
