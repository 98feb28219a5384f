import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import { createLeaverActivities } from '../../activities/leaver';
import type { SystemStep } from '../../activities/system-step';
import { parseConfigFile } from '../../src/config/load';
import { createConnectors } from '../../src/connectors/registry';
import type { Database } from '../../src/db/database';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceInput } from '../../src/evidence/types';
import { createLogger } from '../../src/log';
import { openTestDatabase } from '../harness/db';
import { startTargets, type Targets } from '../harness/targets';

/**
 * A revoke step cut off between revoking an entitlement and recording it (the database went
 * away, or the worker was killed) still leaves evidence of that revocation once a later attempt
 * succeeds: the system no longer shows the entitlement, the step remembers it was held. And the
 * step is done only on a fresh read: after revoking it reads again; when its first read found
 * nothing held, that read is the one.
 */
let targets: Targets;
let db: Database;
let store: EvidenceStore;

beforeAll(async () => {
  targets = await startTargets();
  db = await openTestDatabase('revoke_evidence');
  store = new EvidenceStore(db);
});

afterAll(async () => {
  await db?.close();
  await targets?.close();
});

function activities(evidence: ActivityDeps['evidence']) {
  const connectors = createConnectors(parseConfigFile(targets.systemsYaml, 'test.yaml').systems, targets.secrets);
  const deps = { connectors, evidence, log: createLogger('silent') } as Partial<ActivityDeps> as ActivityDeps;
  return createLeaverActivities(deps);
}

const run = (attempt: number, workflowId: string) => new MockActivityEnvironment({ attempt, workflowExecution: { workflowId, runId: 'run-1' } });

describe('revoking entitlements, interrupted', () => {
  it.each(['aws', 'okta'])('records every revocation in %s exactly once when the first attempt lost one', async (system) => {
    const login = `revoke.${system}@acme.test`;
    const employeeId = system === 'aws' ? '7001' : '7002';
    targets.seedWorker(login, ['engineering', 'sales']);
    const workflowId = `leaver-bamboohr-${employeeId}-ev`;
    // The first revocation's evidence cannot be written: the entitlement is gone, its record is not.
    let lost = 0;
    const flaky: ActivityDeps['evidence'] = {
      append: async (input: EvidenceInput) => {
        if (input.action === 'entitlement.revoke' && lost === 0) {
          lost++;
          throw new Error('Connection terminated unexpectedly');
        }
        return store.append(input);
      },
    };
    const step: SystemStep = { system, login, employeeId, source: 'bamboohr', hrEventId: 'ev' };
    const { revokeEntitlements } = activities(flaky);
    await expect(run(1, workflowId).run(revokeEntitlements, step)).rejects.toThrow(/Connection terminated/);
    expect(lost).toBe(1);
    const result = (await run(2, workflowId).run(revokeEntitlements, step)) as Awaited<ReturnType<typeof revokeEntitlements>>;
    expect(result.outcome).toBe('success');

    const events = (await store.forEmployee(employeeId)).filter((e) => e.outcome !== 'failure');
    const revokes = events.filter((e) => e.action === 'entitlement.revoke').map((e) => e.entitlement).sort();
    expect(revokes).toEqual(['group:engineering', 'group:sales']);
    const all = events.find((e) => e.action === 'entitlements.revoke_all');
    expect(all?.context.revoked).toEqual(['group:engineering', 'group:sales']);
    expect(events.filter((e) => e.action === 'entitlements.held')).toHaveLength(1);
  });
});

describe('revoking entitlements: the read that shows the step done', () => {
  const groupReads = (from: number, userId: string) => targets.okta.requests().slice(from).filter((r) => r.method === 'GET' && r.path === `/api/v1/users/${userId}/groups`).length;

  it.each([
    { held: ['engineering'], reads: 2, revoked: ['group:engineering'] },
    { held: [], reads: 1, revoked: [] },
  ])('reads the groups $reads time(s) when the account holds $held.length', async ({ held, reads, revoked }) => {
    const login = `revoke.reads.${held.length}@acme.test`;
    const employeeId = `719${held.length}`;
    targets.seedWorker(login, held);
    const userId = targets.okta.user(login)!.id;
    const from = targets.okta.requests().length;
    const step: SystemStep = { system: 'okta', login, accountId: userId, employeeId, source: 'bamboohr', hrEventId: 'ev' };
    const { revokeEntitlements } = activities(store);
    const result = (await run(1, `leaver-bamboohr-${employeeId}-reads`).run(revokeEntitlements, step)) as Awaited<ReturnType<typeof revokeEntitlements>>;
    expect(result.outcome).toBe('success');
    expect(groupReads(from, userId)).toBe(reads);
    const all = (await store.forEmployee(employeeId)).find((e) => e.action === 'entitlements.revoke_all');
    expect(all?.context.revoked).toEqual(revoked);
  });
});
