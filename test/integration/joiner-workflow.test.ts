import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { JoinerResult } from '../../workflows/joiner';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import type { ApprovalRecord } from '../../src/approvals/types';
import { startTargets, type Targets } from '../harness/targets';
import { recordHistory, resultOf, waitForWorkflow } from '../harness/workflows';

let targets: Targets;
let engine: TestEngine;
const day = 86_400_000;
const dateIn = (days: number) => new Date(Date.now() + days * day).toISOString().slice(0, 10);

const policy = `
policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
    - name: sre-prod
      when: { jobTitle: "/SRE|Site Reliability/" }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
joiner: { provisionLeadTime: 3d }
`;

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['staff', 'engineering', 'prod-admin']);
  engine = await startTestEngine({ yaml: `${targets.systemsYaml}\n${policy}`, env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret }, secrets: targets.secrets });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

function hire(id: string, login: string, fields: Record<string, string | null>) {
  return postBambooWebhook(engine.url, {
    employees: [
      {
        id,
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: { workEmail: login, firstName: 'New', lastName: 'Joiner', status: 'Active', terminationDate: null, ...fields },
      },
    ],
  });
}

function joinerIdOf(body: Record<string, unknown>): string {
  const ids = (body.events as { workflowIds: string[] }[])[0]!.workflowIds;
  return ids.find((w) => w.startsWith('joiner-'))!;
}

async function pendingApprovalFor(employeeId: string): Promise<ApprovalRecord> {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${engine.url}/api/approvals`, { headers: { authorization: `Bearer ${adminToken}` } });
    const body = (await res.json()) as { approvals: ApprovalRecord[] };
    const found = body.approvals.find((a) => a.employeeId === employeeId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no pending approval for ${employeeId}`);
}

function decide(approvalId: string, body: { decision: string; reason?: string }, token = adminToken) {
  return fetch(`${engine.url}/api/approvals/${encodeURIComponent(approvalId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const evidenceOf = (id: string): Promise<EvidenceRecord[]> => engine.services.evidence.forEmployee(id);
const okta = (login: string) => targets.okta.user(login);
const scim = (login: string) => targets.scim.user(login);

describe('joiner workflow', () => {
  it('grants at once what needs no approval, and what needs approval only when an admin approves', async () => {
    const login = 'sam.sre@acme.test';
    const res = await hire('701', login, { hireDate: dateIn(-1), department: 'Engineering', jobTitle: 'Senior SRE' });
    expect(res.body).toMatchObject({ accepted: 1 });
    const joinerId = joinerIdOf(res.body);
    const pending = await pendingApprovalFor('701');
    expect(pending).toMatchObject({ system: 'aws', entitlement: 'group:prod-admin', rules: ['sre-prod'], status: 'pending' });

    // Before the decision: accounts exist, birthright and plain rule access granted, prod-admin not.
    // Activated without a password, as Okta does: PROVISIONED until the worker's first sign-in.
    expect(okta(login)?.status).toBe('PROVISIONED');
    expect(okta(login)?.groups).toContain('staff');
    expect(scim(login)?.active).toBe(true);
    expect(scim(login)?.groups).toEqual(['engineering']);

    // Auditors may look but not decide; an unknown approval is 404.
    expect((await decide(pending.approvalId, { decision: 'approve' }, auditorToken)).status).toBe(403);
    expect((await decide('no-such-approval', { decision: 'approve' })).status).toBe(404);
    const approved = await decide(pending.approvalId, { decision: 'approve', reason: 'on-call rota' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ decision: 'approve', status: 'approved' });
    expect((await decide(pending.approvalId, { decision: 'reject', reason: 'changed my mind' })).status).toBe(409);

    const result = await resultOf<JoinerResult>(engine.client, joinerId);
    expect(result.rescinded).toBe(false);
    expect(scim(login)?.groups.sort()).toEqual(['engineering', 'prod-admin']);

    const evidence = await evidenceOf('701');
    const grants = evidence.filter((e) => e.action === 'entitlement.grant').map((e) => `${e.system}:${e.entitlement}:${(e.context.rules as string[]).join('+')}`);
    expect(grants.sort()).toEqual(['aws:group:engineering:engineering', 'aws:group:prod-admin:sre-prod', 'okta:group:staff:birthright']);
    expect(evidence.find((e) => e.action === 'approval.requested')).toMatchObject({ entitlement: 'group:prod-admin', outcome: 'success' });
    expect(evidence.find((e) => e.action === 'approval.decided')).toMatchObject({
      actorType: 'approver',
      actorId: 'api:admin',
      outcome: 'success',
      context: expect.objectContaining({ decision: 'approved', approvalReason: 'on-call rota' }),
    });
    expect(evidence.filter((e) => e.action === 'account.create' && e.outcome === 'success').map((e) => e.system).sort()).toEqual(['aws', 'okta']);
    expect(evidence.map((e) => e.action)).toContain('joiner.completed');
    await recordHistory(engine.client, 'joiner-approved', joinerId);
  });

  it('does not grant what an admin rejects, and records the reason', async () => {
    const login = 'rita.rejected@acme.test';
    const res = await hire('704', login, { hireDate: dateIn(-1), department: 'Support', jobTitle: 'Site Reliability Engineer' });
    const pending = await pendingApprovalFor('704');
    expect((await decide(pending.approvalId, { decision: 'reject' })).status).toBe(400);
    expect((await decide(pending.approvalId, { decision: 'reject', reason: 'not on the SRE team' })).status).toBe(200);
    const result = await resultOf<JoinerResult>(engine.client, joinerIdOf(res.body));
    expect(result.approvals).toMatchObject([{ system: 'aws', outcome: 'skipped' }]);
    expect(scim(login)?.groups ?? []).not.toContain('prod-admin');
    expect((await evidenceOf('704')).find((e) => e.action === 'approval.decided')).toMatchObject({
      outcome: 'skipped',
      context: expect.objectContaining({ decision: 'rejected', approvalReason: 'not on the SRE team' }),
    });
  });

  it('creates no account in a system the policy gives the worker nothing in', async () => {
    const login = 'sal.sales@acme.test';
    const res = await hire('702', login, { hireDate: dateIn(-1), department: 'Sales', jobTitle: 'Account Executive' });
    await resultOf<JoinerResult>(engine.client, joinerIdOf(res.body));
    expect(okta(login)?.status).toBe('PROVISIONED');
    expect(scim(login)).toBeUndefined();
  });

  it('provisions a future starter inactive within the lead time, and a rescinded hire removes it', async () => {
    const login = 'fran.future@acme.test';
    const start = dateIn(2);
    const res = await hire('703', login, { hireDate: start, department: 'Engineering', jobTitle: 'Engineer' });
    const joinerId = joinerIdOf(res.body);
    await waitForWorkflow(engine.client, joinerId);
    // Provisioned ahead of the start (lead time 3 days), but not usable yet.
    const deadline = Date.now() + 15_000;
    while (!(await evidenceOf('703')).some((e) => e.action === 'joiner.provisioned') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(okta(login)?.status).toBe('STAGED');
    expect(scim(login)?.active).toBe(false);
    expect(scim(login)?.groups).toEqual(['engineering']);
    expect((await engine.client.workflow.getHandle(joinerId).describe()).status.name).toBe('RUNNING');

    // HR calls the hire off before day one.
    const rescind = await postBambooWebhook(engine.url, {
      employees: [
        {
          id: '703',
          action: 'Updated',
          timestamp: new Date().toISOString(),
          changedFields: ['Status'],
          fields: { workEmail: login, status: 'Inactive', hireDate: start, terminationDate: null },
        },
      ],
    });
    expect((rescind.body.events as { kind: string }[])[0]?.kind).toBe('rescind');
    const result = await resultOf<JoinerResult>(engine.client, joinerId);
    expect(result.rescinded).toBe(true);
    expect(okta(login)?.status).not.toMatch(/ACTIVE|STAGED/);
    expect(okta(login)?.groups.filter((g) => g !== 'Everyone')).toEqual([]);
    expect(scim(login)?.active).toBe(false);
    expect(scim(login)?.groups).toEqual([]);
    expect((await evidenceOf('703')).map((e) => e.action)).toContain('joiner.rescinded');
    await recordHistory(engine.client, 'joiner-rescinded', joinerId);
  });
});
