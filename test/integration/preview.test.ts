import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EmployeePreview, EmployeeView } from '../../src/preview/service';
import type { JoinerResult } from '../../workflows/joiner';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

let targets: Targets;
let engine: TestEngine;
let dir: string;

const policyYaml = `policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
    - name: sales
      when: { department: Sales }
      grant: [{ system: aws, entitlements: ["group:sales"] }]
    - name: sre
      when: { jobTitle: SRE }
      grant: [{ system: aws, entitlements: ["group:prod-admin"] }]
      approval: required
`;

const login = 'pia.preview@acme.test';

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['staff', 'engineering', 'sales', 'prod-admin', 'hand-made']);
  // Access given by hand before the engine knew the worker: never the policy's to revoke.
  targets.okta.seedUser({ login, email: login, status: 'ACTIVE', groups: ['hand-made'] });
  engine = await startTestEngine({ yaml: `${targets.systemsYaml}\n${policyYaml}`, env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret }, secrets: targets.secrets });
  dir = await mkdtemp(join(tmpdir(), 'jml-preview-'));
  await writeFile(join(dir, 'jml.config.yaml'), `${targets.systemsYaml}\n${policyYaml}`);

  const res = await postBambooWebhook(engine.url, {
    employees: [
      {
        id: '951',
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: { workEmail: login, firstName: 'Pia', lastName: 'Preview', status: 'Active', hireDate: '2024-01-08', terminationDate: null, department: 'Engineering', jobTitle: 'Engineer' },
      },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const [event] = res.body.events as { workflowIds: string[] }[];
  await resultOf<JoinerResult>(engine.client, event!.workflowIds.find((w) => w.startsWith('joiner-'))!);
});

afterAll(async () => {
  await engine?.close();
  await targets?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function get(path: string, token: string | null = path.includes('/preview') ? adminToken : auditorToken): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${engine.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The employee view once the entity workflow has marked the joiner done. */
async function activeView(id: string): Promise<EmployeeView> {
  for (let i = 0; ; i++) {
    const res = await get(`/api/employees/${id}`);
    expect(res.status).toBe(200);
    const view = res.body as unknown as EmployeeView;
    if (view.lifecycle === 'active' || i >= 100) return view;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const bySystem = <T extends { system: string }>(systems: T[]) => Object.fromEntries(systems.map((s) => [s.system, s]));

describe('employee view', () => {
  it('shows lifecycle, attributes and desired against provisioned access per system', async () => {
    const view = await activeView('bamboohr:951');
    expect(view).toMatchObject({
      employeeId: '951',
      source: 'bamboohr',
      workflowId: 'employee-bamboohr-951',
      lifecycle: 'active',
      worker: { department: 'Engineering', jobTitle: 'Engineer', workEmail: login },
      currentEvent: null,
      pendingEvents: [],
    });
    expect(view.worker).not.toHaveProperty('firstName');
    const systems = bySystem(view.systems);
    expect(systems.okta).toMatchObject({
      account: { status: 'active' },
      desired: [{ entitlement: 'group:staff', rules: ['birthright'], approvalRequired: false }],
      provisioned: ['group:hand-made', 'group:staff'],
      missing: [],
      extra: [],
    });
    expect(systems.aws).toMatchObject({
      account: { status: 'active' },
      desired: [{ entitlement: 'group:engineering', rules: ['engineering'], approvalRequired: false }],
      provisioned: ['group:engineering'],
      missing: [],
      extra: [],
    });
    // A bare ID means BambooHR.
    expect((await get('/api/employees/951', adminToken)).body).toMatchObject({ employeeId: '951', source: 'bamboohr' });
  });

  it('answers 404 for a worker with no workflow, 400 for an ID that is not one', async () => {
    expect(await get('/api/employees/958')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await get('/api/employees/adp:1')).toMatchObject({ status: 400, body: { parameter: 'id' } });
  });

  it('the view needs an admin or auditor token; a preview (it may name any identity) an admin token', async () => {
    for (const path of ['/api/employees/951', '/api/employees/951/preview?event=change']) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, 'not-a-known-token-at-all')).status).toBe(401);
      expect((await get(path, adminToken)).status).toBe(200);
      expect((await get(path, auditorToken)).status).toBe(path.includes('/preview') ? 403 : 200);
    }
  });
});

describe('preview', () => {
  it('shows what a department change would do, and changes nothing anywhere', async () => {
    const writesBefore = targets.writeCount();
    const requestsBefore = { okta: targets.okta.requests().length, scim: targets.scim.requests().length };

    const res = await get('/api/employees/951/preview?event=change&set=department:Sales&set=jobTitle:SRE');
    expect(res.status).toBe(200);
    const preview = res.body as unknown as EmployeePreview;
    expect(preview).toMatchObject({
      exists: true,
      lifecycle: 'active',
      event: 'change',
      overrides: { department: 'Sales', jobTitle: 'SRE' },
      worker: { department: 'Sales', jobTitle: 'SRE', workEmail: login },
      login,
      steps: 3,
      complete: true,
    });
    const systems = bySystem(preview.systems);
    expect(systems.aws).toMatchObject({
      createAccount: false,
      grants: [{ entitlement: 'group:sales', rules: ['sales'] }],
      approvals: [{ entitlement: 'group:prod-admin', rules: ['sre'] }],
      revokes: ['group:engineering'],
      disableAccount: false,
    });
    expect(systems.okta).toMatchObject({ grants: [], approvals: [], revokes: [], createAccount: false });

    const leaver = (await get('/api/employees/951/preview?event=terminate')).body as unknown as EmployeePreview;
    expect(bySystem(leaver.systems).okta).toMatchObject({ killSessions: true, disableAccount: true, revokes: ['group:hand-made', 'group:staff'] });
    // SCIM has no session kill: access ends when the account is disabled.
    expect(bySystem(leaver.systems).aws).toMatchObject({ killSessions: false, disableAccount: true, revokes: ['group:engineering'] });

    expect(targets.writeCount()).toBe(writesBefore);
    const seen = [...targets.okta.requests().slice(requestsBefore.okta), ...targets.scim.requests().slice(requestsBefore.scim)];
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(targets.okta.user(login)).toMatchObject({ status: 'ACTIVE', groups: expect.arrayContaining(['hand-made', 'staff']) });
    expect(targets.scim.user(login)?.groups).toEqual(['engineering']);
  });

  it('starts from empty attributes for a worker the engine has not seen', async () => {
    const res = await get('/api/employees/bamboohr:952/preview?event=hire&set=workEmail:New.Hire@acme.test&set=department:Engineering');
    expect(res.status).toBe(200);
    const preview = res.body as unknown as EmployeePreview;
    expect(preview).toMatchObject({ exists: false, lifecycle: null, login: 'new.hire@acme.test', steps: 4 });
    expect(preview.warnings[0]).toMatch(/no workflow for this worker yet/);
    expect(bySystem(preview.systems)).toMatchObject({
      okta: { account: null, createAccount: true, grants: [{ entitlement: 'group:staff' }] },
      aws: { account: null, createAccount: true, grants: [{ entitlement: 'group:engineering' }] },
    });
  });

  it('answers 400 naming the bad parameter', async () => {
    expect(await get('/api/employees/951/preview')).toMatchObject({ status: 400, body: { parameter: 'event' } });
    expect(await get('/api/employees/951/preview?event=promote')).toMatchObject({ status: 400, body: { parameter: 'event' } });
    expect(await get('/api/employees/951/preview?event=change&event=hire')).toMatchObject({ status: 400, body: { parameter: 'event' } });
    expect(await get('/api/employees/951/preview?event=change&dry=1')).toMatchObject({ status: 400, body: { parameter: 'dry' } });
    const unknownField = await get('/api/employees/951/preview?event=change&set=firstName:Ann');
    expect(unknownField).toMatchObject({
      status: 400,
      body: { parameter: 'set', allowed: ['department', 'division', 'jobTitle', 'location', 'employmentType', 'managerId', 'workEmail', 'timeZone'] },
    });
    expect(unknownField.body.message).toMatch(/unknown field "firstName"/);
  });
});

describe('jml preview', () => {
  function jml(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      JML_CONFIG: join(dir, 'jml.config.yaml'),
      JML_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      ...targets.secrets,
    };
    return new Promise((resolve) => {
      execFile('node', ['bin/jml.js', ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  it('prints the plan as a table and as JSON, writing nothing', async () => {
    const writesBefore = targets.writeCount();
    const table = await jml(['preview', '--employee', '951', '--event', 'change', '--set', 'department=Sales', '--set', 'jobTitle=SRE']);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Preview of "change" for bamboohr:951 \(lifecycle active\)\. Nothing has been changed\./);
    expect(table.stdout).toMatch(/department=Sales \*/);
    expect(table.stdout).toMatch(/^ {2}grant +group:sales {2}\(rule sales\)$/m);
    expect(table.stdout).toMatch(/^ {2}approval +group:prod-admin {2}\(rule sre\)/m);
    expect(table.stdout).toMatch(/^ {2}revoke +group:engineering$/m);

    const json = await jml(['preview', '--employee', 'bamboohr:951', '--event', 'terminate', '--format', 'json']);
    expect(json.code).toBe(0);
    const preview = JSON.parse(json.stdout) as EmployeePreview;
    expect(bySystem(preview.systems).okta).toMatchObject({ killSessions: true, disableAccount: true });
    expect(targets.writeCount()).toBe(writesBefore);
  });

  it('refuses a bad --set with one line and exit 2', async () => {
    const res = await jml(['preview', '--employee', '951', '--event', 'change', '--set', 'firstName=Ann']);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(/^jml: --set: unknown field "firstName" \(fields: department, division, /);
  });
});
