import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moverWorkflowId } from '../../src/hris/hr-event';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { JoinerResult } from '../../workflows/joiner';
import type { MoverResult } from '../../workflows/mover';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { recordHistory, resultOf } from '../harness/workflows';

let targets: Targets;
let engine: TestEngine;

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['staff', 'engineering', 'sales']);
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
    - name: sales
      when: { department: Sales }
      grant: [{ system: aws, entitlements: ["group:sales"] }]
mover: { revokeOldAccessAfter: 2s }
`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: targets.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
});

const base = (login: string) => ({ workEmail: login, firstName: 'Mo', lastName: 'Ver', status: 'Active', hireDate: '2024-01-08', terminationDate: null });

async function deliver(id: string, action: 'Created' | 'Updated', changed: string[], fields: Record<string, string | null>) {
  const res = await postBambooWebhook(engine.url, { employees: [{ id, action, timestamp: new Date().toISOString(), changedFields: changed, fields }] });
  expect(res.status).toBe(202);
  return res.body.events as { eventId: string; kind: string; workflowIds: string[] }[];
}

async function hired(id: string, login: string, department: string): Promise<void> {
  const [event] = await deliver(id, 'Created', [], { ...base(login), department });
  await resultOf<JoinerResult>(engine.client, event!.workflowIds.find((w) => w.startsWith('joiner-'))!);
}

const awsGroups = (login: string) => [...(targets.scim.user(login)?.groups ?? [])].sort();
const evidenceOf = (id: string): Promise<EvidenceRecord[]> => engine.services.evidence.forEmployee(id);

describe('mover workflow', () => {
  it('grants the new role at once and revokes the old one after the grace period, with the rule', async () => {
    const login = 'mia.mover@acme.test';
    await hired('911', login, 'Engineering');
    expect(awsGroups(login)).toEqual(['engineering']);

    const [change] = await deliver('911', 'Updated', ['Department'], { ...base(login), department: 'Sales' });
    expect(change!.kind).toBe('change');
    const moverId = moverWorkflowId('bamboohr', '911', change!.eventId);
    // New access arrives before the old is taken away: both held during the grace period.
    for (let i = 0; i < 200 && !awsGroups(login).includes('sales'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(awsGroups(login)).toEqual(['engineering', 'sales']);

    const result = await resultOf<MoverResult>(engine.client, moverId);
    expect(result.passes).toBe(1);
    expect(awsGroups(login)).toEqual(['sales']);
    expect(targets.okta.user(login)?.groups).toContain('staff');

    const revoke = (await evidenceOf('911')).find((e) => e.action === 'entitlement.revoke');
    expect(revoke).toMatchObject({ system: 'aws', entitlement: 'group:engineering', outcome: 'success', context: expect.objectContaining({ rules: ['engineering'] }) });
    const grant = (await evidenceOf('911')).filter((e) => e.action === 'entitlement.grant').find((e) => e.entitlement === 'group:sales');
    expect(grant?.context.rules).toEqual(['sales']);
    await recordHistory(engine.client, 'mover-grace', moverId);
  });

  it('re-plans when a second change lands in the grace period, revoking nothing the latest role gives', async () => {
    const login = 'max.back@acme.test';
    await hired('912', login, 'Engineering');
    const [first] = await deliver('912', 'Updated', ['Department'], { ...base(login), department: 'Sales' });
    for (let i = 0; i < 200 && !awsGroups(login).includes('sales'); i++) await new Promise((r) => setTimeout(r, 50));
    // Back to Engineering before the old access would have gone.
    await deliver('912', 'Updated', ['Department'], { ...base(login), department: 'Engineering' });

    const result = await resultOf<MoverResult>(engine.client, moverWorkflowId('bamboohr', '912', first!.eventId));
    expect(result.passes).toBe(2);
    expect(awsGroups(login)).toEqual(['engineering']);
    const revoked = (await evidenceOf('912')).filter((e) => e.action === 'entitlement.revoke').map((e) => e.entitlement);
    expect(revoked).toEqual(['group:sales']);
  });
});
