import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SandboxFile } from '../../src/sandbox/sandbox';
import { readSandboxFile } from '../../src/sandbox/sandbox';
import { freePort } from '../../src/temporal/dev-server';
import { JmlProcess, jmlBin } from '../harness/jml-process';
import { signIn } from '../harness/console';

/**
 * A first run as a new user makes it: `jml dev` with nothing configured (on the run's Temporal
 * server, with the embedded PGlite), then `jml simulate`, then the evidence through the API.
 */
let dir: string;
let dev: JmlProcess;
let port: number;
let sandbox: SandboxFile;
let devOutput: string;
const queue = `sandbox-${Date.now().toString(36)}`;

function simulate(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [jmlBin, 'simulate', ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...extraEnv } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function scimUser(userName: string): Promise<{ active: boolean; groups?: { display: string }[] } | undefined> {
  const res = await fetch(`${sandbox.scimUrl}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { headers: { authorization: `Bearer ${sandbox.scimToken}` } });
  const body = (await res.json()) as { Resources?: { active: boolean; groups?: { display: string }[] }[] };
  return body.Resources?.[0];
}

async function evidenceOf(employee: string): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/employees/bamboohr:${employee}/evidence`, { headers: { authorization: `Bearer ${sandbox.auditorToken}` } });
  const body = (await res.json()) as { events: { action: string; outcome: string; system?: string }[] };
  return body.events.map((e) => `${e.action}${e.system ? `@${e.system}` : ''}:${e.outcome}`);
}

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-sandbox-'));
  port = await freePort();
  dev = new JmlProcess({
    command: 'dev',
    cwd: dir,
    logFile: join(dir, 'dev.log'),
    env: { PORT: String(port), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: queue, JML_WORKFLOW_BUNDLE: inject('workflowBundlePath'), JML_METRICS_PORT: '0', LOG_LEVEL: 'warn' },
  });
  dev.start();
  await dev.waitFor('Press Ctrl-C to stop.', 90_000);
  devOutput = dev.recentOutput;
  sandbox = (await readSandboxFile(join(dir, '.jml')))!;
}, 120_000);

afterAll(async () => {
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a first run: jml dev with nothing configured, then jml simulate', () => {
  it('starts a sandbox directory and says so, keeping its secrets where only the user can read them', async () => {
    expect(devOutput).toMatch(/Sandbox {7}no systems configured, so a local SCIM 2\.0 directory stands in: http:\/\/127\.0\.0\.1:\d+\/scim\/v2/);
    expect(devOutput).toContain('try: jml simulate terminate --employee 1003');
    expect(devOutput).toContain(`auditor ${sandbox.auditorToken}`);
    expect(devOutput).toMatch(/Systems {7}sandbox/);
    expect((await stat(join(dir, '.jml', 'sandbox.json'))).mode & 0o777).toBe(0o600);
    expect((await scimUser('chloe.ferris@example.com'))?.active).toBe(true);
  });

  it('simulate terminate sends a signed webhook through the front door; the leaver runs to completion against the sandbox', { timeout: 90_000 }, async () => {
    const sent = await simulate(['terminate', '--employee', '1003']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const lines = sent.stdout.split('\n');
    expect(lines[0]).toBe('sent terminate for employee 1003: 202, terminate');
    const leaver = /^ {2}(leaver-bamboohr-1003-\S+)\s+(http\S+)$/m.exec(sent.stdout);
    expect(leaver?.[2]).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(leaver![1]!)}`);
    expect(sent.stdout).toContain(`curl -s -H "Authorization: Bearer ${sandbox.auditorToken}" http://127.0.0.1:${port}/api/employees/bamboohr:1003/evidence`);

    const actions = await until('leaver evidence', () => evidenceOf('1003'), (a) => a.includes('leaver.completed:success'));
    expect(actions).toEqual(expect.arrayContaining(['hr_event.received:success', 'account.disable@sandbox:success', 'leaver.sessions_killed:success', 'entitlement.revoke@sandbox:success']));
    const user = await scimUser('chloe.ferris@example.com');
    expect(user?.active).toBe(false);
    expect(user?.groups ?? []).toEqual([]);

    const report = await fetch(`http://127.0.0.1:${port}/api/reports/offboarding?from=${new Date().toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}&format=json`, { headers: { authorization: `Bearer ${sandbox.auditorToken}` } });
    const body = (await report.json()) as { leavers: { employeeId: string; withinSla: boolean }[] };
    expect(body.leavers.find((l) => l.employeeId === '1003')).toMatchObject({ withinSla: true });

    // The console the printout points to shows the leaver, on time, and its workflow (by ID: this
    // jml dev uses the suite's Temporal server, so it has no embedded UI to link to).
    expect(devOutput).toContain(`Console       http://127.0.0.1:${port}/console`);
    const consoleLine = /^ {2}console {3}(http\S+)/m.exec(sent.stdout)![1]!;
    const auditor = await signIn(`http://127.0.0.1:${port}`, sandbox.auditorToken);
    const page = await (await auditor.get(new URL(consoleLine).pathname + new URL(consoleLine).search)).text();
    expect(page).toMatch(/<tr data-employee="bamboohr:1003">[\s\S]*?<td>yes<\/td>/);
    expect(page).toContain('<code>employee-bamboohr-1003</code>');
  });

  it('simulate hire creates the joiner in the sandbox with the policy\'s groups', { timeout: 90_000 }, async () => {
    const sent = await simulate(['hire', '--employee', '1006']);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^sent hire for employee 1006: 202, hire$/m);
    const user = await until('joiner account', () => scimUser('femi.laine@example.com'), (u) => u?.active === true && (u.groups?.length ?? 0) >= 2);
    expect(user?.groups?.map((g) => g.display).sort()).toEqual(['engineering', 'everyone']);
  });

  it('refuses what it cannot send, with one line and exit 2, and says when the engine is not there', async () => {
    const unknown = await simulate(['terminate', '--employee', '4242']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('jml: simulate terminate: employee 4242 is not in the sandbox roster: give --field workEmail=... (and the other fields HR would send)');
    const noChange = await simulate(['change', '--employee', '1002']);
    expect(noChange.code).toBe(2);
    expect(noChange.stderr.split('\n')[0]).toBe('jml: simulate change: say what changed with --field, e.g. --field department=Sales');
    const badEvent = await simulate(['fire', '--employee', '1002']);
    expect(badEvent.code).toBe(2);
    const nobody = await simulate(['terminate', '--employee', '1002'], { PORT: String(await freePort()) });
    expect(nobody.code).toBe(1);
    expect(nobody.stdout.trim()).toMatch(/^the engine did not answer at http:\/\/127\.0\.0\.1:\d+: is jml dev \(or jml server\) running\?/);
  });
});

describe('with a system configured', () => {
  it('starts no sandbox', { timeout: 120_000 }, async () => {
    const own = await mkdtemp(join(tmpdir(), 'jml-nosandbox-'));
    await writeFile(join(own, 'jml.config.yaml'), 'systems:\n  - { id: scim, type: scim, baseUrl: "http://127.0.0.1:9/scim/v2", tokenEnv: SCIM_TOKEN }\n');
    const other = new JmlProcess({
      command: 'dev',
      cwd: own,
      logFile: join(own, 'dev.log'),
      env: { PORT: String(await freePort()), SCIM_TOKEN: 'scim-token-0123456789', TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: `${queue}-own`, JML_WORKFLOW_BUNDLE: inject('workflowBundlePath'), JML_METRICS_PORT: '0', LOG_LEVEL: 'warn' },
    });
    try {
      other.start();
      await other.waitFor('Press Ctrl-C to stop.', 90_000);
      expect(other.recentOutput).toMatch(/Systems {7}scim/);
      expect(other.recentOutput).not.toContain('Sandbox');
      expect(await readSandboxFile(join(own, '.jml'))).toBeUndefined();
    } finally {
      await other.stop();
      await rm(own, { recursive: true, force: true });
    }
  });
});
