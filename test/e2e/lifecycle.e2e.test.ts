import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moverWorkflowId } from '../../src/hris/hr-event';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import type { MoverResult } from '../../workflows/mover';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import type { OffboardingReport } from '../../src/reports/offboarding';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';
import { exampleConfigOn } from '../harness/example-config';
import { pendingApprovalFor } from '../harness/approvals';

/**
 * A worker's whole life under the shipped jml.config.example.yaml, only the systems' base URLs
 * pointed at the local Okta peer and SCIM server: hire, department change, termination.
 */
let targets: Targets;
let engine: TestEngine;

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['everyone', 'engineering', 'prod-admin']);
  engine = await startTestEngine({ yaml: await exampleConfigOn(targets), env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret }, secrets: targets.secrets });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

const login = 'lee.lifecycle@acme.test';
const fields = (extra: Record<string, string | null>) => ({ workEmail: login, firstName: 'Lee', lastName: 'Cycle', status: 'Active', hireDate: '2024-01-08', terminationDate: null, ...extra });
const oktaGroups = () => (targets.okta.user(login)?.groups ?? []).filter((g) => g !== 'Everyone').sort();
const awsGroups = () => [...(targets.scim.user(login)?.groups ?? [])].sort();

async function deliver(action: 'Created' | 'Updated', changed: string[], extra: Record<string, string | null>) {
  const res = await postBambooWebhook(engine.url, { employees: [{ id: '961', action, timestamp: new Date().toISOString(), changedFields: changed, fields: fields(extra) }] });
  expect(res.status).toBe(202);
  return (res.body.events as { eventId: string; kind: string; workflowIds: string[] }[])[0]!;
}

describe('a worker under the example policy', () => {
  it('hire: birthright and Engineering access at once, prod-admin only after approval', async () => {
    const hire = await deliver('Created', [], { department: 'Engineering', jobTitle: 'Site Reliability Engineer' });
    const pending = await pendingApprovalFor(engine.url, '961');
    expect(pending).toMatchObject({ system: 'aws', entitlement: 'group:prod-admin' });
    expect(oktaGroups()).toEqual(['engineering', 'everyone']);
    expect(awsGroups()).toEqual([]);
    const decided = await fetch(`${engine.url}/api/approvals/${encodeURIComponent(pending.approvalId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', reason: 'SRE on-call' }),
    });
    expect(decided.status).toBe(200);
    await resultOf<JoinerResult>(engine.client, hire.workflowIds.find((w) => w.startsWith('joiner-'))!);
    expect(awsGroups()).toEqual(['prod-admin']);
  });

  it('department change: Engineering access goes, the SRE grant stays', async () => {
    const change = await deliver('Updated', ['Department'], { department: 'Sales', jobTitle: 'Site Reliability Engineer' });
    expect(change.kind).toBe('change');
    await resultOf<MoverResult>(engine.client, moverWorkflowId('bamboohr', '961', change.eventId));
    expect(oktaGroups()).toEqual(['everyone']);
    expect(awsGroups()).toEqual(['prod-admin']);
  });

  it('termination: sessions killed, accounts disabled, every group removed, a report row', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await postBambooWebhook(engine.url, terminationDelivery('961', login, yesterday, { department: 'Sales' }));
    const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
    expect((await resultOf<LeaverResult>(engine.client, leaverId)).rescinded).toBe(false);
    // Never signed in (PROVISIONED), so Okta cannot suspend: the connector deactivates instead.
    expect(['SUSPENDED', 'DEPROVISIONED']).toContain(targets.okta.user(login)?.status);
    expect(targets.scim.user(login)?.active).toBe(false);
    expect(oktaGroups()).toEqual([]);
    expect(awsGroups()).toEqual([]);
    const actions = (await engine.services.evidence.forEmployee('961')).map((e) => e.action);
    for (const action of ['joiner.completed', 'approval.decided', 'mover.completed', 'entitlement.revoke', 'leaver.completed']) expect(actions).toContain(action);
    const report = await fetch(`${engine.url}/api/reports/offboarding?from=${yesterday}&to=${yesterday}`, { headers: { authorization: `Bearer ${auditorToken}` } });
    const body = (await report.json()) as OffboardingReport;
    expect(body.leavers.find((l) => l.employeeId === '961')).toMatchObject({ withinSla: true, accessRevokedAt: expect.any(String) });
  });
});
