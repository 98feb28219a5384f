/**
 * Orphan reconciliation over every kind of system the engine speaks (each as its local peer): one
 * run of the workflow lists them all, each finds the leaver whose account was left behind and the
 * account HR never knew, and none takes the worker who is still employed for an orphan.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OrphanReport } from '../../src/reports/orphans';
import type { OrphanRunResult } from '../../workflows/orphans';
import { startAllSystems, type AllSystems } from '../harness/all-systems';
import { hrEvent, storeHrHistory } from '../harness/orphans';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';

let world: AllSystems;
let engine: TestEngine;

beforeAll(async () => {
  world = await startAllSystems();
  engine = await startTestEngine({ yaml: `${world.systemsYaml}\n`, secrets: world.secrets });
  await storeHrHistory(engine.db, [
    hrEvent('1201', 'hire', 'ana.stays@acme.test'),
    hrEvent('1202', 'hire', 'bo.left@acme.test'),
    hrEvent('1202', 'terminate', 'bo.left@acme.test', { immediate: true }),
  ]);
  for (const login of ['ana.stays@acme.test', 'bo.left@acme.test', 'cy.ghost@acme.test']) world.seedWorker(login, []);
});

afterAll(async () => {
  await engine?.close();
  await world?.close();
});

it('every system is listed; each reports the leaver left behind and the unknown account, never the one still employed', async () => {
  const result = await engine.client.workflow.execute<() => Promise<OrphanRunResult>>('orphanReconcileWorkflow', {
    taskQueue: engine.taskQueue,
    workflowId: `orphans-all-${engine.taskQueue}`,
  });
  expect(result.systems.map((s) => `${s.system} ${s.status}${s.error ? ` ${s.error}` : ''}`).sort()).toEqual(world.systems.map((s) => `${s.id} succeeded`).sort());
  const res = await fetch(`${engine.url}/api/reports/orphans`, { headers: { authorization: `Bearer ${auditorToken}` } });
  const report = (await res.json()) as OrphanReport;
  for (const { id } of world.systems) {
    const mine = report.orphans.filter((o) => o.system === id);
    const status = (login: string) => mine.find((o) => o.login.toLowerCase() === login)?.lastHrStatus;
    expect([status('ana.stays@acme.test'), status('bo.left@acme.test'), status('cy.ghost@acme.test')], id).toEqual([undefined, 'terminated', 'unknown']);
    expect(mine.find((o) => o.login.toLowerCase() === 'bo.left@acme.test'), id).toMatchObject({ reason: 'left', employeeId: '1202', hrSource: 'bamboohr' });
  }
});
