import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaConnector } from '../../src/connectors/okta/connector';
import { ScimConnector } from '../../src/connectors/scim/connector';
import type { Database } from '../../src/db/database';
import { loadHrView, type HrView } from '../../src/orphans/hr-view';
import { reconcileSystem } from '../../src/orphans/reconcile';
import { OrphanStore } from '../../src/orphans/store';
import { loadOrphanReport, orphansCsv } from '../../src/reports/orphans';
import { openTestDatabaseOn, testEngines } from '../harness/db';
import { hrEvent, storeHrHistory } from '../harness/orphans';
import { startOktaPeer, type OktaPeer } from '../peers/okta-peer';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

/**
 * One system's orphan reconciliation against the Okta peer and a SCIM server, on Postgres and on
 * PGlite: HR's view comes from the inbox, the verdicts land in orphan_accounts, and the report
 * reads them back. Peers page small (Okta 2, SCIM 2) so every listing takes several pages.
 */
const timing = { cutoffLocalTime: '18:00', defaultTimeZone: 'UTC' };
const grace = 15 * 60_000;
const day = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(testEngines)('orphan reconciliation on %s', (engine) => {
  let db: Database;
  let store: OrphanStore;
  let okta: OktaPeer;
  let scim: ScimPeer;
  let oktaConnector: OktaConnector;
  let scimConnector: ScimConnector;
  const t0 = Date.now();
  const terminatedOn = dateOf(t0 - 10 * day);
  const hr = () => loadHrView(db, timing);
  const run = (runId: string, connector: OktaConnector | ScimConnector, view: HrView, at: Date) => reconcileSystem({ runId, connector, store, hr: view, at, graceMs: grace, batchSize: 3 });

  beforeAll(async () => {
    db = await openTestDatabaseOn(engine, 'orphans');
    store = new OrphanStore(db);
    okta = await startOktaPeer({ token: 'okta-orphans', pageLimit: 2 });
    scim = await startScimPeer({ token: 'scim-orphans' });
    oktaConnector = new OktaConnector({ id: 'okta', baseUrl: okta.url, token: 'okta-orphans', pageLimit: 2 });
    scimConnector = new ScimConnector({ id: 'aws', baseUrl: scim.url, token: 'scim-orphans', pageSize: 2 });
    await storeHrHistory(db, [
      hrEvent('101', 'hire', 'ada.active@acme.test'),
      hrEvent('102', 'hire', 'ben.leaver@acme.test'),
      hrEvent('103', 'hire', 'cara.disabled@acme.test'),
      hrEvent('104', 'hire', 'dan.leaving@acme.test'),
      hrEvent('105', 'hire', 'eve.stays@acme.test'),
      // HR's termination carries no email: the worker is still known by the one from the hire.
      hrEvent('102', 'terminate', undefined, { effectiveDate: terminatedOn }),
      hrEvent('103', 'terminate', 'cara.disabled@acme.test', { immediate: true }),
      hrEvent('104', 'terminate', 'dan.leaving@acme.test', { effectiveDate: dateOf(t0 + 30 * day) }),
      hrEvent('105', 'terminate', 'eve.stays@acme.test', { effectiveDate: terminatedOn }),
      hrEvent('105', 'rescind', 'eve.stays@acme.test'),
      hrEvent('102', 'change', 'ben.leaver@acme.test'),
    ]);
    for (const login of ['ada.active@acme.test', 'ben.leaver@acme.test', 'dan.leaving@acme.test', 'eve.stays@acme.test', 'ghost.unknown@acme.test']) okta.seedUser({ login });
    okta.seedUser({ login: 'cara.disabled@acme.test', status: 'SUSPENDED' });
    for (const userName of ['ada.active@acme.test', 'Ben.Leaver@Acme.test', 'dan.leaving@acme.test', 'eve.stays@acme.test', 'ghost.unknown@acme.test']) scim.seedUser({ userName });
    scim.seedUser({ userName: 'cara.disabled@acme.test', active: false });
  });
  afterAll(async () => {
    await okta?.close();
    await scim?.close();
    await db?.close();
  });

  const openRows = async () => (await loadOrphanReport(db, new Date(t0 + day))).orphans.map((r) => `${r.system} ${r.login.toLowerCase()} ${r.lastHrStatus} ${r.reason}`).sort();

  it('finds the leaver left behind and the account HR never knew, in both systems; a disabled account, a future leaver and a rescinded termination are no orphans', async () => {
    const view = await hr();
    expect(view.workers).toBe(5);
    const at = new Date(t0);
    const [a, b] = await Promise.all([run('run-1', oktaConnector, view, at), run('run-1', scimConnector, view, at)]);
    expect(a).toMatchObject({ system: 'okta', status: 'succeeded', accounts: 6, newOrphans: 2, orphans: 2, resolved: 0 });
    expect(b).toMatchObject({ system: 'aws', status: 'succeeded', accounts: 6, newOrphans: 2, orphans: 2, resolved: 0 });
    expect(await openRows()).toEqual([
      'aws ben.leaver@acme.test terminated left',
      'aws ghost.unknown@acme.test unknown unknown_to_hr',
      'okta ben.leaver@acme.test terminated left',
      'okta ghost.unknown@acme.test unknown unknown_to_hr',
    ]);
    const report = await loadOrphanReport(db, new Date(t0 + day));
    const ben = report.orphans.find((r) => r.system === 'okta' && r.login === 'ben.leaver@acme.test')!;
    // Orphaned since the termination took effect: 18:00 UTC on its date (cutoff, default zone).
    expect(ben).toMatchObject({ orphanedSince: `${terminatedOn}T18:00:00.000Z`, firstSeenAt: at.toISOString(), hrSource: 'bamboohr', employeeId: '102' });
    expect(ben.orphanedDays).toBe(Math.floor((t0 + day - Date.parse(`${terminatedOn}T18:00:00Z`)) / day));
    const ghost = report.orphans.find((r) => r.system === 'aws' && r.reason === 'unknown_to_hr')!;
    expect(ghost).toMatchObject({ orphanedSince: at.toISOString(), orphanedDays: 1, orphanedSeconds: 86_400, employeeId: null });
    expect(report.systems.map((s) => [s.system, s.status, s.accounts, s.orphans])).toEqual([['aws', 'succeeded', 6, 2], ['okta', 'succeeded', 6, 2]]);
    const csv = orphansCsv(report).split('\r\n');
    expect(csv[0]).toBe('system,accountId,login,lastHrStatus,reason,orphanedSince,orphanedDays,orphanedSeconds,firstSeenAt,lastSeenAt,hrSource,employeeId');
    expect(csv.filter((l) => l.includes('ghost.unknown'))).toHaveLength(2);
  });

  it('a second run raises nothing new; first sightings stay and last sightings move', async () => {
    const before = await loadOrphanReport(db);
    const at = new Date(t0 + 3_600_000);
    const view = await hr();
    const [a, b] = await Promise.all([run('run-2', oktaConnector, view, at), run('run-2', scimConnector, view, at)]);
    expect([a.newOrphans, b.newOrphans, a.orphans, b.orphans]).toEqual([0, 0, 2, 2]);
    const after = await loadOrphanReport(db);
    expect(after.orphans.map((r) => [r.system, r.accountId, r.firstSeenAt])).toEqual(before.orphans.map((r) => [r.system, r.accountId, r.firstSeenAt]));
    expect(new Set(after.orphans.map((r) => r.lastSeenAt))).toEqual(new Set([at.toISOString()]));
    const opened: string[] = [];
    for await (const page of store.ofRun('run-2', 'opened')) opened.push(...page.map((r) => r.accountId));
    expect(opened).toEqual([]);
  });

  it('closes an orphan once its account is disabled or gone, and only from a listing that finished', async () => {
    const benAtOkta = okta.user('ben.leaver@acme.test')!.id;
    await oktaConnector.disableAccount(benAtOkta);
    scim.deleteUser('ghost.unknown@acme.test');
    const view = await hr();
    // The SCIM listing breaks after its first page (the connection drops): nothing of it is resolved.
    let calls = 0;
    const flaky = new ScimConnector({
      id: 'aws',
      baseUrl: scim.url,
      token: 'scim-orphans',
      pageSize: 2,
      fetch: (input, init) => (++calls === 2 ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)),
    });
    const at = new Date(t0 + 7_200_000);
    const [a, broken] = await Promise.all([run('run-3', oktaConnector, view, at), run('run-3', flaky, view, at)]);
    expect(a).toMatchObject({ status: 'succeeded', resolved: 1, orphans: 1 });
    expect(broken).toMatchObject({ system: 'aws', status: 'failed', resolved: 0, retryable: true });
    expect(broken.error).toMatch(/^unavailable: aws: GET \/scim\/v2\/Users failed/);
    expect(await openRows()).toEqual([
      'aws ben.leaver@acme.test terminated left',
      'aws ghost.unknown@acme.test unknown unknown_to_hr',
      'okta ghost.unknown@acme.test unknown unknown_to_hr',
    ]);
    const report = await loadOrphanReport(db);
    expect(report.summary.failedSystems).toEqual(['aws']);
    expect(report.systems.find((s) => s.system === 'aws')).toMatchObject({ status: 'failed', error: expect.stringContaining('unavailable') });

    // A listing that finishes closes what it no longer shows.
    const b = await run('run-4', scimConnector, view, new Date(t0 + 10_800_000));
    expect(b).toMatchObject({ status: 'succeeded', resolved: 1, orphans: 1 });
    const resolved: string[] = [];
    for await (const page of store.ofRun('run-4', 'resolved')) resolved.push(...page.map((r) => `${r.login} ${r.resolution}`));
    expect(resolved).toEqual(['ghost.unknown@acme.test gone']);
    for await (const page of store.ofRun('run-3', 'resolved')) expect(page.map((r) => `${r.system} ${r.login} ${r.resolution}`)).toEqual(['okta ben.leaver@acme.test inactive']);
    expect((await loadOrphanReport(db)).summary.failedSystems).toEqual([]);
  });

  it('a system that refuses the credentials is failed, not clean, and says so without any login', async () => {
    const bad = new ScimConnector({ id: 'aws', baseUrl: scim.url, token: 'revoked', pageSize: 2 });
    const outcome = await run('run-5', bad, await hr(), new Date(t0 + 14_400_000));
    expect(outcome).toMatchObject({ status: 'failed', accounts: 0, retryable: false });
    expect(outcome.error).toMatch(/^unauthorized: aws: GET \/scim\/v2\/Users answered 401/);
    expect(outcome.error).not.toMatch(/@acme\.test/);
    expect(await store.countOpen('aws')).toBe(1);
  });

  it('an orphan that comes back after being closed is a new episode: new again, first seen anew', async () => {
    const benAtOkta = okta.user('ben.leaver@acme.test')!.id;
    await oktaConnector.enableAccount(benAtOkta);
    const at = new Date(t0 + 18_000_000);
    const outcome = await run('run-6', oktaConnector, await hr(), at);
    expect(outcome).toMatchObject({ newOrphans: 1, orphans: 2 });
    const ben = (await loadOrphanReport(db)).orphans.find((r) => r.system === 'okta' && r.login === 'ben.leaver@acme.test')!;
    expect(ben).toMatchObject({ firstSeenAt: at.toISOString(), lastHrStatus: 'terminated' });
  });
});
