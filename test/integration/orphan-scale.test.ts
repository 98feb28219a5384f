import { afterAll, beforeAll, expect, it } from 'vitest';
import { OktaConnector } from '../../src/connectors/okta/connector';
import { ScimConnector } from '../../src/connectors/scim/connector';
import type { Database } from '../../src/db/database';
import { loadHrView } from '../../src/orphans/hr-view';
import { reconcileSystem } from '../../src/orphans/reconcile';
import { OrphanStore } from '../../src/orphans/store';
import { openTestDatabase } from '../harness/db';
import { startOrphanWorld, type OrphanWorld } from '../harness/orphan-world';

/**
 * Reconciliation of 10,000 accounts per system (the 100,000 figure is `npm run bench -- orphans`):
 * listed at the vendors' page sizes (Okta 200, SCIM 100), judged against 10,000 workers' HR
 * history, stored in batches; the second run finds the same orphans and raises none.
 */
const accounts = 10_000;
let db: Database;
let world: OrphanWorld;

beforeAll(async () => {
  db = await openTestDatabase('orphan_scale');
  world = await startOrphanWorld(db, accounts);
}, 120_000);
afterAll(async () => {
  await world?.close();
  await db?.close();
});

it(`reconciles ${accounts} accounts in each of two systems`, async () => {
  const store = new OrphanStore(db);
  const connectors = [
    new OktaConnector({ id: 'okta', baseUrl: world.okta.url, token: world.oktaToken }),
    new ScimConnector({ id: 'aws', baseUrl: world.scim.url, token: world.scimToken }),
  ];
  const orphans = world.expected.left + world.expected.unknown;
  for (const [runId, fresh] of [['scale-1', orphans], ['scale-2', 0]] as const) {
    const started = Date.now();
    const cpu = process.cpuUsage();
    const hr = await loadHrView(db, { cutoffLocalTime: '18:00', defaultTimeZone: 'UTC' });
    expect(hr.workers).toBe(accounts - accounts / 100);
    const at = new Date();
    const outcomes = await Promise.all(connectors.map((connector) => reconcileSystem({ runId, connector, store, hr, at, graceMs: 900_000 })));
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'succeeded', accounts, orphans, newOrphans: fresh, resolved: 0 });
    const used = process.cpuUsage(cpu);
    console.log(`${runId}: ${accounts} accounts x 2 systems in ${Date.now() - started} ms, CPU ${Math.round((used.user + used.system) / 1000)} ms (peers included), ${orphans} orphans each`);
  }
}, 240_000);
