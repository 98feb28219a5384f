import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinerResult } from '../../workflows/joiner';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { adminToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

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
approvals: { timeout: 1500ms }
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

describe('an approval nobody decides', () => {
  it('expires at approvals.timeout: access not granted, expiry recorded, later decisions refused', async () => {
    const login = 'eve.expired@acme.test';
    const res = await postBambooWebhook(engine.url, {
      employees: [
        {
          id: '801',
          action: 'Created',
          timestamp: new Date().toISOString(),
          changedFields: [],
          fields: { workEmail: login, firstName: 'Eve', lastName: 'Expired', status: 'Active', hireDate: '2024-01-08', terminationDate: null, jobTitle: 'SRE' },
        },
      ],
    });
    const joinerId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('joiner-'))!;
    const result = await resultOf<JoinerResult>(engine.client, joinerId);
    expect(result.approvals).toMatchObject([{ system: 'aws', outcome: 'skipped', reason: expect.stringContaining('timed out') }]);
    expect(targets.scim.user(login)?.groups ?? []).not.toContain('prod-admin');

    const evidence = await engine.services.evidence.forEmployee('801');
    expect(evidence.find((e) => e.action === 'approval.expired')).toMatchObject({ actorType: 'engine', entitlement: 'group:prod-admin' });
    const record = (await engine.services.approvals.pending()).find((a) => a.employeeId === '801');
    expect(record).toBeUndefined();
    const approvalId = evidence.find((e) => e.action === 'approval.expired')!.context.approvalId as string;
    const late = await fetch(`${engine.url}/api/approvals/${encodeURIComponent(approvalId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(late.status).toBe(409);
  });
});
