import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JoinerResult } from '../../workflows/joiner';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

/** JML_API_TOKENS entries with a name: what the token does through the API is recorded as theirs. Employee IDs 945x. */
const aliceToken = 'alice-admin-token-0123456789';
const plainAdmin = 'plain-admin-token-0123456789';
const auditor = 'auditor-token-named-0123456789';

let targets: Targets;
let engine: TestEngine;

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['prod-admin']);
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
policy:
  rules:
    - name: sre-prod
      when: { jobTitle: "/SRE/" }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
approvals: { timeout: 1h }
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, JML_API_TOKENS: `admin:alice:${aliceToken},admin:${plainAdmin},auditor:audrey:${auditor}` },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

async function pendingApprovalFor(employeeId: string, login: string) {
  const res = await postBambooWebhook(engine.url, {
    employees: [
      {
        id: employeeId,
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: { workEmail: login, firstName: 'Sam', lastName: 'Sre', status: 'Active', hireDate: '2024-01-08', terminationDate: null, jobTitle: 'SRE' },
      },
    ],
  });
  expect(res.status).toBe(202);
  const joinerId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('joiner-'))!;
  const record = await vi.waitFor(
    async () => {
      const found = (await engine.services.approvals.pending()).find((a) => a.employeeId === employeeId);
      if (!found) throw new Error('no pending approval yet');
      return found;
    },
    { timeout: 15_000, interval: 100 },
  );
  return { joinerId, approvalId: record.approvalId };
}

const decide = (approvalId: string, token: string) =>
  fetch(`${engine.url}/api/approvals/${encodeURIComponent(approvalId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ decision: 'approve' }),
  });

describe('named API tokens', () => {
  it('an approval through the API by a named token records that name as the actor', async () => {
    const { joinerId, approvalId } = await pendingApprovalFor('9451', 'sam.9451@acme.test');
    expect((await decide(approvalId, auditor)).status).toBe(403);
    expect((await decide(approvalId, aliceToken)).status).toBeLessThan(300);
    await resultOf<JoinerResult>(engine.client, joinerId);
    const decided = (await engine.services.evidence.forEmployee('9451')).find((e) => e.action === 'approval.decided');
    expect(decided).toMatchObject({ actorType: 'approver', actorId: 'api:admin:alice', outcome: 'success' });
    expect(await engine.services.approvals.get(approvalId)).toMatchObject({ status: 'approved', decidedBy: 'api:admin:alice' });
  });

  it('a token without a name is recorded by its role, as before', async () => {
    const { joinerId, approvalId } = await pendingApprovalFor('9452', 'sam.9452@acme.test');
    expect((await decide(approvalId, plainAdmin)).status).toBeLessThan(300);
    await resultOf<JoinerResult>(engine.client, joinerId);
    const decided = (await engine.services.evidence.forEmployee('9452')).find((e) => e.action === 'approval.decided');
    expect(decided).toMatchObject({ actorId: 'api:admin' });
  });
});
