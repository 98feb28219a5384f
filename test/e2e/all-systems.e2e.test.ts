/**
 * One termination in BambooHR, every kind of system the engine speaks (each as its local peer):
 * sessions end everywhere, every account is disabled, every group removed, one evidence row per
 * step per system, and the offboarding report has a row per system saying how its sessions ended.
 * In GitHub, the requests of one leaver, counted at the peer: one look-up, and no read repeated
 * beyond what the steps' read-backs need.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { OffboardingReport } from '../../src/reports/offboarding';
import type { LeaverResult } from '../../workflows/leaver';
import { startAllSystems, type AllSystems } from '../harness/all-systems';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { resultOf } from '../harness/workflows';

let world: AllSystems;
let engine: TestEngine;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const groups = ['engineering', 'oncall'];

beforeAll(async () => {
  world = await startAllSystems();
  engine = await startTestEngine({
    yaml: `${world.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
    secrets: world.secrets,
  });
});

afterAll(async () => {
  await engine?.close();
  await world?.close();
});

async function getJson<T>(path: string, token = auditorToken): Promise<{ status: number; body: T }> {
  const res = await fetch(`${engine.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

describe('a leaver in every system', () => {
  it('reports every system healthy first', async () => {
    const health = await getJson<{ status: string; checks: Record<string, { ok: boolean; error?: string }> }>('/healthz', adminToken);
    for (const s of world.systems) expect(health.body.checks[`system:${s.id}`], s.id).toEqual({ ok: true });
  });

  it('ends sessions, disables and strips every account, with evidence and a report row per system', async () => {
    const login = 'quinn.everywhere@acme.test';
    world.seedWorker(login, groups);
    for (const s of world.systems) {
      expect(s.pair.sessionsEnded(login), s.id).toBe(false);
      expect(s.pair.groupsAt(login).sort(), s.id).toEqual(groups);
    }

    const res = await postBambooWebhook(engine.url, terminationDelivery('990', login, yesterday));
    expect(res.status).toBe(202);
    const events = res.body.events as { workflowIds: string[] }[];
    const leaverId = events[0]!.workflowIds.find((id) => id.startsWith('leaver-bamboohr-990-'))!;
    const result = await resultOf<LeaverResult>(engine.client, leaverId, 30_000);
    expect(result.slaBreached).toBe(false);

    for (const s of world.systems) {
      expect(s.pair.sessionsEnded(login), `${s.id}: sessions`).toBe(true);
      expect(s.pair.disabledAt(login), `${s.id}: disabled`).toBe(true);
      expect(s.pair.groupsAt(login), `${s.id}: groups`).toEqual([]);
    }

    const evidence = await getJson<{ events: EvidenceRecord[] }>('/api/employees/990/evidence');
    const count = (action: string, system: string, entitlement?: string) =>
      evidence.body.events.filter((e) => e.action === action && e.system === system && (entitlement === undefined || e.entitlement === entitlement) && e.outcome === 'success').length;
    for (const s of world.systems) {
      expect(count('sessions.kill', s.id), `${s.id}: sessions.kill`).toBe(s.killsSessions ? 1 : 0);
      expect(count('account.disable', s.id), `${s.id}: account.disable`).toBe(1);
      expect(count('entitlements.revoke_all', s.id), `${s.id}: revoke_all`).toBe(1);
      // Each group is recorded as removed: by its own revoke, or (GitHub, whose membership removal
      // takes the teams with it) in the disable's entitlementsRemoved.
      const disable = evidence.body.events.find((e) => e.action === 'account.disable' && e.system === s.id)!;
      const withDisable = (disable.context as { entitlementsRemoved?: string[] }).entitlementsRemoved ?? [];
      for (const g of groups) {
        const entitlement = `${s.pair.kind}:${g}`;
        expect(count('entitlement.revoke', s.id, entitlement) + (withDisable.includes(entitlement) ? 1 : 0), `${s.id}: ${g}`).toBe(1);
      }
    }

    const report = await getJson<OffboardingReport>(`/api/reports/offboarding?from=${yesterday}&to=${yesterday}&format=json`);
    const row = report.body.leavers.find((l) => l.employeeId === '990')!;
    expect(Object.keys(row.systems).sort()).toEqual(world.systems.map((s) => s.id).sort());
    for (const s of world.systems) expect(row.systems[s.id], s.id).toMatchObject({ outcome: s.killsSessions ? 'killed' : 'disabled' });
    expect(row.withinSla).toBe(true);
  });
});

describe('a GitHub leaver, counted at the peer', () => {
  it('looks the account up once: the revoke step works on the account the disable found', async () => {
    const login = 'rory.counted@acme.test';
    world.seedWorker(login, groups);
    const github = world.systems.find((s) => s.id === 'github')!.pair;
    const from = github.requests().length;
    const res = await postBambooWebhook(engine.url, terminationDelivery('991', login, yesterday));
    const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((id) => id.startsWith('leaver-bamboohr-991-'))!;
    await resultOf<LeaverResult>(engine.client, leaverId, 30_000);
    const seen = github.requests().slice(from).map((r) => {
      const query = (r.body as { query?: string } | undefined)?.query ?? '';
      const what = r.path === '/graphql' ? (query.includes('externalIdentities') ? 'graphql: SAML identity look-up' : query.includes('teams(') ? 'graphql: teams' : 'graphql: other') : r.path;
      return `${r.method} ${what.replace(/memberships\/[^/]+$/, 'memberships/{login}').replace(/\/\d+$/, '/{id}')}`;
    });
    expect(seen.sort()).toEqual(
      [
        'POST graphql: SAML identity look-up',
        // findAccount's membership, the disable's own read before anything goes, and its read-back.
        'GET /orgs/acme/memberships/{login}',
        'GET /orgs/acme/memberships/{login}',
        'GET /orgs/acme/memberships/{login}',
        // The teams named in the disable's evidence, and the revoke step's fresh read (empty: it reads once).
        'POST graphql: teams',
        'POST graphql: teams',
        'GET /orgs/acme/credential-authorizations',
        'DELETE /orgs/acme/credential-authorizations/{id}',
        'DELETE /orgs/acme/credential-authorizations/{id}',
        'GET /orgs/acme/credential-authorizations',
        'GET /orgs/acme/invitations',
        'DELETE /orgs/acme/memberships/{login}',
      ].sort(),
    );
  });
});

