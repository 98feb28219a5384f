/**
 * A GitHub organisation without SAML SSO, whose members the engine knows by a GitHub login that
 * HR keeps in a custom field (identity.hrFields), beside Okta matched by work email: a hire is
 * given its team under that login, a leaver loses the membership and every authorised
 * credential, a worker HR gives no login is a recorded skip naming the field (never a guess),
 * and the orphan report matches GitHub members to workers by the same field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { OffboardingReport } from '../../src/reports/offboarding';
import type { OrphanReport } from '../../src/reports/orphans';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import type { OrphanRunResult } from '../../workflows/orphans';
import { start as startBambooPeer, type BambooPeer } from '../peers/bamboohr-peer';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { hrEvent, storeHrHistory } from '../harness/orphans';
import { enginePair as githubEnginePair } from '../harness/pairs/github';
import { enginePair as oktaEnginePair } from '../harness/pairs/okta';
import { auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { resultOf } from '../harness/workflows';

const bambooKey = 'bamboohr-api-key-github-field';
let github: Awaited<ReturnType<typeof githubEnginePair>>;
let okta: Awaited<ReturnType<typeof oktaEnginePair>>;
let bamboo: BambooPeer;
let engine: TestEngine;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  [github, okta, bamboo] = await Promise.all([githubEnginePair({ matchByField: 'githubLogin' }), oktaEnginePair(), startBambooPeer({ apiKey: bambooKey })]);
  for (const team of ['engineering', 'oncall']) github.seedGroup(team);
  okta.seedGroup('engineering');
  const gh = github.system('github');
  const ok = okta.system('okta');
  const yaml = [
    'identity:',
    '  hrFields:',
    '    githubLogin: { bamboohr: customGitHubUsername, workday: GitHub_Username }',
    `systems: [${JSON.stringify(gh.entry)}, ${JSON.stringify(ok.entry)}]`,
    'policy:',
    '  rules:',
    '    - when: { department: Engineering }',
    '      grant: [{ system: github, entitlements: ["team:engineering"] }, { system: okta, entitlements: ["group:engineering"] }]',
    'sla: { leaverSessionKill: 60s }',
  ].join('\n');
  engine = await startTestEngine({
    yaml,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, BAMBOOHR_API_URL: bamboo.url, BAMBOOHR_API_KEY: bambooKey },
    secrets: { ...gh.secrets, ...ok.secrets },
  });
});

afterAll(async () => {
  await engine?.close();
  await Promise.all([github?.close(), okta?.close(), bamboo?.close()]);
});

/** A field-based delivery; the BambooHR API peer holds the same record for read-backs. */
async function deliver(employeeId: string, action: 'Created' | 'Updated', changedFields: string[], fields: Record<string, string | null>) {
  bamboo.setEmployee(employeeId, fields);
  const res = await postBambooWebhook(engine.url, { employees: [{ id: employeeId, action, timestamp: new Date().toISOString(), changedFields, fields }] });
  expect(res.status).toBe(202);
  return (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds;
}

async function evidenceOf(employeeId: string): Promise<EvidenceRecord[]> {
  const res = await fetch(`${engine.url}/api/employees/${employeeId}/evidence`, { headers: { authorization: `Bearer ${auditorToken}` } });
  return ((await res.json()) as { events: EvidenceRecord[] }).events;
}

const person = (email: string, extra: Record<string, string | null>) => ({ workEmail: email, firstName: 'Test', lastName: 'Worker', status: 'Active', hireDate: '2024-01-08', ...extra });

describe('GitHub matched by a login HR keeps', () => {
  it('a hire gets its team under the GitHub login from HR (an invitation, as GitHub does for a non-member)', async () => {
    github.peer.seedUser({ login: 'rae-gh', membership: null });
    const ids = await deliver('1501', 'Created', [], person('rae.hire@acme.test', { department: 'Engineering', customGitHubUsername: 'rae-gh' }));
    await resultOf<JoinerResult>(engine.client, ids.find((id) => id.startsWith('joiner-'))!, 30_000);
    const engineering = [...github.peer.org.teams.values()].find((t) => t.slug === 'engineering')!;
    expect(engineering.members.get('rae-gh')).toMatchObject({ state: 'pending' });
    expect(github.peer.org.membership('rae-gh')).toMatchObject({ state: 'pending' });
    const grant = (await evidenceOf('1501')).find((e) => e.action === 'entitlement.grant' && e.system === 'github');
    expect(grant).toMatchObject({ outcome: 'success', entitlement: 'team:engineering' });
    expect(grant!.context).toMatchObject({ matchedBy: 'githubLogin' });
  });

  it('a leaver loses the membership, its teams and every authorised credential; Okta still by work email', async () => {
    const email = 'quinn.leaves@acme.test';
    github.peer.seedUser({ login: 'quinn-gh', teams: ['engineering', 'oncall'], credentials: 2 });
    okta.seedAccount(email, { groups: ['engineering'], sessions: 1 });
    const ids = await deliver('1502', 'Updated', ['status', 'terminationDate'], person(email, { department: 'Engineering', status: 'Inactive', terminationDate: yesterday, customGitHubUsername: 'quinn-gh' }));
    const result = await resultOf<LeaverResult>(engine.client, ids.find((id) => id.startsWith('leaver-'))!, 30_000);
    expect(result.slaBreached).toBe(false);
    expect(github.peer.org.membership('quinn-gh')).toBeUndefined();
    expect(github.peer.org.credentialsOf('quinn-gh')).toEqual([]);
    expect(github.peer.teamsOf('quinn-gh')).toEqual([]);
    expect(okta.sessionsEnded(email)).toBe(true);
    expect(okta.disabledAt(email)).toBe(true);
    const evidence = await evidenceOf('1502');
    const disable = evidence.find((e) => e.action === 'account.disable' && e.system === 'github');
    expect(disable).toMatchObject({ outcome: 'success' });
    expect(disable!.context).toMatchObject({ matchedBy: 'githubLogin', entitlementsRemoved: ['team:engineering', 'team:oncall'] });
    expect(evidence.find((e) => e.action === 'account.disable' && e.system === 'okta')?.context).not.toHaveProperty('matchedBy');
  });

  it('a leaver HR gives no GitHub login is a recorded skip naming the field, not a guess by email', async () => {
    const email = 'sam.nofield@acme.test';
    github.peer.seedUser({ login: 'sam-nofield', nameId: email, teams: ['engineering'] });
    okta.seedAccount(email, { sessions: 1 });
    const ids = await deliver('1503', 'Updated', ['status', 'terminationDate'], person(email, { status: 'Inactive', terminationDate: yesterday }));
    await resultOf<LeaverResult>(engine.client, ids.find((id) => id.startsWith('leaver-'))!, 30_000);
    const skipped = (await evidenceOf('1503')).filter((e) => e.system === 'github' && e.outcome === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const e of skipped) expect(e.context.reason).toBe('HR record has no githubLogin (identity.hrFields) to match accounts by');
    expect(github.peer.org.membership('sam-nofield')).toMatchObject({ state: 'active' });
    expect(okta.disabledAt(email)).toBe(true);
    // The auditor sees GitHub's access as not ended for this leaver, not as pending or done.
    const day = new Date().toISOString().slice(0, 10);
    const res = await fetch(`${engine.url}/api/reports/offboarding?from=${yesterday}&to=${day}`, { headers: { authorization: `Bearer ${auditorToken}` } });
    const row = ((await res.json()) as OffboardingReport).leavers.find((l) => l.employeeId === '1503')!;
    expect(row.systems.github).toMatchObject({ outcome: 'failed', sessionsKilledAt: null });
    expect(row.systems.okta).toMatchObject({ outcome: 'killed' });
  });

  it('the orphan report matches GitHub members to workers by the field', async () => {
    await storeHrHistory(engine.db, [
      hrEvent('1601', 'hire', 'ana.stays@acme.test', { worker: { workEmail: 'ana.stays@acme.test', hrFields: { githubLogin: 'Ana-GH' } } }),
      hrEvent('1602', 'hire', 'bo.left@acme.test', { worker: { workEmail: 'bo.left@acme.test', hrFields: { githubLogin: 'bo-gh' } } }),
      hrEvent('1602', 'terminate', 'bo.left@acme.test', { immediate: true, worker: { workEmail: 'bo.left@acme.test', hrFields: { githubLogin: 'bo-gh' } } }),
    ]);
    for (const login of ['ana-gh', 'bo-gh', 'cy-ghost']) github.peer.seedUser({ login });
    const run = await engine.client.workflow.execute<() => Promise<OrphanRunResult>>('orphanReconcileWorkflow', { taskQueue: engine.taskQueue, workflowId: `orphans-ghfield-${engine.taskQueue}` });
    expect(run.systems.find((s) => s.system === 'github')).toMatchObject({ status: 'succeeded' });
    const res = await fetch(`${engine.url}/api/reports/orphans`, { headers: { authorization: `Bearer ${auditorToken}` } });
    const mine = ((await res.json()) as OrphanReport).orphans.filter((o) => o.system === 'github');
    const status = (login: string) => mine.find((o) => o.login.toLowerCase() === login)?.lastHrStatus;
    expect([status('ana-gh'), status('bo-gh'), status('cy-ghost')]).toEqual([undefined, 'terminated', 'unknown']);
    expect(mine.find((o) => o.login === 'bo-gh')).toMatchObject({ reason: 'left', employeeId: '1602', hrSource: 'bamboohr' });
  });
});
