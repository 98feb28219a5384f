import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaverResult } from '../../workflows/leaver';
import { actionsOf } from '../harness/actions';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { startTestEngine, type TestEngine } from '../harness/test-engine';
import { oktaToken, scimToken, startTargets, type Targets } from '../harness/targets';
import { recordHistory, resultOf } from '../harness/workflows';

/**
 * What a leaver costs in Temporal Cloud Actions (docs.temporal.io/cloud/actions), counted from
 * the real histories of the worker's workflow and the leaver: a two-system leaver at most 12, a
 * six-system one at most 30. Employee IDs 43xx.
 */
let targets: Targets;
let two: TestEngine;
let six: TestEngine;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  targets = await startTargets();
  const config = { env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret }, secrets: targets.secrets };
  two = await startTestEngine({ yaml: targets.systemsYaml, ...config });
  // Six systems: three Okta orgs and three SCIM apps (here each three on one peer; every step is per system).
  const more = [2, 3].flatMap((n) => [
    `  - { id: okta${n}, type: okta, baseUrl: "${targets.okta.url}", tokenEnv: OKTA_TOKEN }`,
    `  - { id: aws${n}, type: scim, baseUrl: "${targets.scim.url}", tokenEnv: AWS_SCIM_TOKEN }`,
  ]);
  six = await startTestEngine({ yaml: [targets.systemsYaml, ...more].join('\n'), ...config, secrets: { OKTA_TOKEN: oktaToken, AWS_SCIM_TOKEN: scimToken } });
});

afterAll(async () => {
  await six?.close();
  await two?.close();
  await targets?.close();
});

async function leaverActions(engine: TestEngine, id: string) {
  const login = `cost.${id}@acme.test`;
  targets.seedWorker(login, ['engineering']);
  const res = await postBambooWebhook(engine.url, terminationDelivery(id, login, yesterday));
  expect(res.status).toBe(202);
  const ids = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds;
  const result = await resultOf<LeaverResult>(engine.client, ids.find((w) => w.startsWith('leaver-'))!);
  expect(result.slaBreached).toBe(false);
  // The worker's workflow takes the leaver's result and goes idle.
  await new Promise((r) => setTimeout(r, 1000));
  return { ids, result, actions: await actionsOf(engine.client, ids) };
}

describe('Temporal Actions per leaver', () => {
  it('a two-system leaver costs at most 12', async () => {
    const { ids, result, actions } = await leaverActions(two, '4301');
    expect(result.systems.map((s) => s.how).sort()).toEqual(['disabled', 'killed']);
    expect(actions.total, JSON.stringify(actions.byKind)).toBeLessThanOrEqual(12);
    // One activity per system step that calls a system: Okta's kill, Okta's disable and revoke, SCIM's disable and revoke.
    expect(actions.byKind['activity attempt']).toBe(3);
    await recordHistory(two.client, 'leaver-immediate', ids.find((w) => w.startsWith('leaver-'))!);
    await recordHistory(two.client, 'employee-immediate-leaver', ids.find((w) => w.startsWith('employee-'))!);
  });

  it('a six-system leaver costs at most 30', async () => {
    const { result, actions } = await leaverActions(six, '4302');
    expect(result.systems).toHaveLength(6);
    expect(actions.total, JSON.stringify(actions.byKind)).toBeLessThanOrEqual(30);
  });
});
