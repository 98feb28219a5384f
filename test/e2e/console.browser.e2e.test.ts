import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ApprovalStore } from '../../src/approvals/store';
import type { JoinerResult } from '../../workflows/joiner';
import type { LeaverResult } from '../../workflows/leaver';
import { pendingApprovalFor } from '../harness/approvals';
import { bambooSecret, hireDelivery, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { launchChromium, screenshot, tabTo } from '../harness/browser';
import { exampleConfigOn } from '../harness/example-config';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startTargets, type Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

/**
 * The console in a real browser (Debian's chromium), used with the keyboard alone, on the real
 * engine under the example policy: two leavers (one on time, one whose Okta was down past a
 * 5 s SLA), two SRE hires waiting for approval. Sign in, read the report and its chart,
 * download the CSV, approve one grant and reject the other with a reason. Screenshots go to
 * test-artifacts/console/.
 */
let targets: Targets;
let engine: TestEngine;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const outside: string[] = [];
const pageErrors: string[] = [];
const slaSeconds = 5;
const uiUrl = 'http://127.0.0.1:8233';

const onTime = { id: '8701', login: 'ontime.leaver@acme.test' };
const late = { id: '8702', login: 'late.leaver@acme.test' };
const approved = { id: '8703', login: 'sre.approved@acme.test' };
const rejected = { id: '8704', login: 'sre.rejected@acme.test' };

async function hire(worker: { id: string; login: string }): Promise<string> {
  const res = await postBambooWebhook(engine.url, hireDelivery(worker.id, worker.login, { department: 'Engineering', jobTitle: 'Site Reliability Engineer' }));
  expect(res.status).toBe(202);
  return (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('joiner-'))!;
}

async function terminate(worker: { id: string; login: string }): Promise<LeaverResult> {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const res = await postBambooWebhook(engine.url, terminationDelivery(worker.id, worker.login, yesterday));
  expect(res.status).toBe(202);
  const id = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
  return resultOf<LeaverResult>(engine.client, id, 30_000);
}

const joiners = new Map<string, string>();

beforeAll(async () => {
  targets = await startTargets();
  targets.seedGroups(['everyone', 'engineering', 'prod-admin']);
  const config = parse(await exampleConfigOn(targets)) as { sla: Record<string, string> };
  config.sla.leaverSessionKill = `${slaSeconds}s`;
  engine = await startTestEngine({ yaml: stringify(config), env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, JML_TEMPORAL_UI_URL: uiUrl }, secrets: targets.secrets });
  targets.seedWorker(onTime.login);
  targets.seedWorker(late.login);
  await terminate(onTime);
  // Okta answers 503 to everything for 8 s: the second leaver's sessions end past the 5 s SLA.
  targets.okta.failFor(8_000, 503);
  await terminate(late);
  for (const worker of [approved, rejected]) joiners.set(worker.id, await hire(worker));
  for (const worker of [approved, rejected]) await pendingApprovalFor(engine.url, worker.id);

  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  const origin = new URL(engine.url).origin;
  page.on('request', (req) => {
    if (new URL(req.url()).origin !== origin && !req.url().startsWith('data:')) outside.push(req.url());
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await engine?.close();
  await targets?.close();
});

describe('the console in a browser, by keyboard', () => {
  it('signs in with a token typed into the sign-in form', async () => {
    await page.goto(`${engine.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    // The token field has the focus from the start (the browser applies autofocus on its next frame).
    await page.waitForFunction(() => document.activeElement?.id === 'token', undefined, { timeout: 5_000 });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await page.keyboard.type('not-the-token-0123456789');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    expect(await page.getByRole('alert').textContent()).toContain('not an auditor or admin token');
    // The refusal is a 401 (counted against guessing); the browser reports it as such, once.
    expect(pageErrors).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
    pageErrors.length = 0;
    await page.getByLabel('API token (auditor or admin)').focus();
    await page.keyboard.type(adminToken);
    await screenshot(page, '01-sign-in');
    await Promise.all([page.waitForURL(`${engine.url}/console`), page.keyboard.press('Enter')]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Offboarding timeliness');
    expect(await page.textContent('header')).toContain('Signed in as admin');
    // The session is a cookie scripts cannot read.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'jml_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie!.value).not.toContain(adminToken);
  });

  it('shows both leavers, the chart against the SLA, the breach with its reason, and links each workflow to the Temporal UI', async () => {
    await page.waitForSelector('#timeliness-chart[data-drawn="true"]');
    expect(await page.textContent('[data-field="count"]')).toBe('2');
    expect(await page.textContent('[data-field="withinSlaShare"]')).toBe('50%');
    const rows = page.locator('#leavers-table tbody tr');
    expect(await rows.count()).toBe(2);
    const onTimeRow = page.locator(`#leavers-table tr[data-employee="bamboohr:${onTime.id}"]`);
    expect(await onTimeRow.locator("td").nth(5).textContent()).toBe('yes');
    expect(await page.locator(`#leavers-table tr[data-employee="bamboohr:${late.id}"] td`).nth(5).textContent()).toBe('no');
    const breach = page.locator(`#breaches-table tr[data-employee="bamboohr:${late.id}"]`);
    expect(await breach.count()).toBe(1);
    expect(await page.locator(`#breaches-table tr[data-employee="bamboohr:${onTime.id}"]`).count()).toBe(0);
    expect((await breach.locator('td').nth(2).textContent())?.trim()).not.toBe('');
    const chart = JSON.parse((await page.getAttribute('#timeliness-chart', 'data-chart'))!) as { labels: string[]; seconds: number[]; sla: number[]; withinSla: boolean[] };
    expect(chart.labels.sort()).toEqual([`bamboohr:${onTime.id}`, `bamboohr:${late.id}`]);
    expect(chart.sla).toEqual([slaSeconds, slaSeconds]);
    expect(chart.seconds[chart.labels.indexOf(`bamboohr:${late.id}`)]).toBeGreaterThan(slaSeconds);
    // The bars and the line are drawn (pixels on the canvas, not an empty box).
    const painted = await page.evaluate(() => {
      const c = document.getElementById('timeliness-chart') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(1000);
    const link = await onTimeRow.locator('a', { hasText: 'worker' }).getAttribute('href');
    expect(link).toBe(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(`employee-bamboohr-${onTime.id}`)}`);
    await screenshot(page, '02-timeliness');
  });

  it('downloads the CSV report, row for row what the API gives for the same window, and the evidence package', async () => {
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'report (CSV)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^offboarding-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const params = new URL(download.url()).searchParams;
    const api = await fetch(`${engine.url}/api/reports/offboarding?from=${params.get('from')}&to=${params.get('to')}&format=csv`, { headers: { authorization: `Bearer ${auditorToken}` } });
    expect(csv).toBe(await api.text());
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => l.includes(onTime.id) || l.includes(late.id))).toHaveLength(2);

    // The evidence package of the same window, as one archive: the export's files, the same report.
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'evidence package (tar.gz)');
    const [archive] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const dir = await mkdtemp(join(tmpdir(), 'jml-console-package-'));
    try {
      await extract({ file: (await archive.path())!, cwd: dir });
      const [name] = await readdir(dir);
      expect(`${name}.tar.gz`).toBe(archive.suggestedFilename());
      const manifest = JSON.parse(await readFile(join(dir, name!, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
      expect(manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(['evidence.jsonl', 'offboarding.csv']));
      expect(await readFile(join(dir, name!, 'offboarding.csv'), 'utf8')).toBe(csv);
      const events = (await readFile(join(dir, name!, 'evidence.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { employeeId: string; action: string });
      expect(events.filter((e) => e.action === 'sessions.kill').map((e) => e.employeeId)).toEqual(expect.arrayContaining([onTime.id, late.id]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('approves one grant: the workflow goes on and the group is granted', async () => {
    // The skip link comes first; then the navigation.
    await page.keyboard.press('Escape');
    await page.goto(`${engine.url}/console`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Approvals');
    await Promise.all([page.waitForURL(`${engine.url}/console/approvals`), page.keyboard.press('Enter')]);
    expect(await page.locator('#approvals-table tbody tr').count()).toBe(2);
    await screenshot(page, '03-approvals');
    await tabTo(page, (el) => el.tag === 'button' && el.label === `Approve aws group:prod-admin for bamboohr:${approved.id}`);
    await Promise.all([page.waitForURL(/outcome=/), page.keyboard.press('Enter')]);
    expect(await page.getByRole('status').textContent()).toContain('approved: the grant goes ahead');
    await resultOf<JoinerResult>(engine.client, joiners.get(approved.id)!);
    expect(targets.scim.user(approved.login)?.groups).toContain('prod-admin');
    const record = (await new ApprovalStore(engine.db).pending()).find((a) => a.employeeId === approved.id);
    expect(record).toBeUndefined();
  });

  it('a rejection needs a reason: without one nothing is sent; with one it is recorded as the console admin', async () => {
    const reject = `Reject aws group:prod-admin for bamboohr:${rejected.id}`;
    await tabTo(page, (el) => el.tag === 'button' && el.label === reject);
    await page.keyboard.press('Enter');
    // The browser keeps the form (its reason is required): still pending, focus moved to the reason.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    const pending = await pendingApprovalFor(engine.url, rejected.id);
    expect(pending.status).toBe('pending');
    await page.keyboard.type('Not on the on-call rota');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/outcome=rejected/), page.keyboard.press('Enter')]);
    expect(await page.getByRole('status').textContent()).toContain('rejected, with your reason recorded');
    expect(await new ApprovalStore(engine.db).get(pending.approvalId)).toMatchObject({ status: 'rejected', reason: 'Not on the on-call rota', decidedBy: 'console:admin' });
    await resultOf<JoinerResult>(engine.client, joiners.get(rejected.id)!);
    expect(targets.scim.user(rejected.login)?.groups ?? []).not.toContain('prod-admin');
    expect(await page.locator('#approvals-table').count()).toBe(0);
    await screenshot(page, '04-decided');
  });

  it('shows the evidence chain verified, and nothing was fetched from anywhere else', async () => {
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Evidence');
    await Promise.all([page.waitForURL(`${engine.url}/console/evidence`), page.keyboard.press('Enter')]);
    expect(await page.getByRole('status').textContent()).toContain('The evidence chain is intact');
    expect(Number(await page.textContent('#verification [data-field="checked"]'))).toBeGreaterThan(10);
    await screenshot(page, '05-evidence');
    expect(outside).toEqual([]);
    // No CSP violation, no script error.
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
