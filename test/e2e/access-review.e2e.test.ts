import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinerResult } from '../../workflows/joiner';
import type { AccessReviewResult } from '../../workflows/review';
import { ReviewStore } from '../../src/reviews/store';
import type { ReviewItem } from '../../src/reviews/types';
import { startReviewCampaign } from '../../src/reviews/start';
import { hireDelivery, postBambooWebhook } from '../harness/bamboohr';
import { startEngineOnTargets } from '../harness/engine-on-targets';
import { adminToken, auditorToken, type TestEngine } from '../harness/test-engine';
import type { Targets } from '../harness/targets';
import { recordHistory, resultOf } from '../harness/workflows';
import { reviewerWorkflowId } from '../../src/reviews/ids';
import { signIn } from '../harness/console';
import { moverWorkflowId } from '../../src/hris/hr-event';
import { renderPdfPages } from '../harness/pdf-pages';
import { parseArgs } from '../../src/cli/args';
import { runReportAccessReview, runReviewStatus } from '../../src/cli/review';
import { runEvidenceExport } from '../../src/evidence/export-cli';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An access review on the real engine against the Okta peer and the SCIM server: four workers
 * under three managers. One manager keeps everything, one revokes a hand-granted group (gone
 * from Okta at once, evidence written) and a policy grant (an exception), one never answers:
 * their items close as unreviewed at the due date.
 */
let targets: Targets;
let engine: TestEngine;
let store: ReviewStore;
let close: () => Promise<void>;
let campaignId: string;

const workers = [
  { id: '6601', login: 'rev.one@acme.test', manager: '6600' },
  { id: '6602', login: 'rev.two@acme.test', manager: '6600' },
  { id: '6603', login: 'rev.three@acme.test', manager: '6610' },
  { id: '6604', login: 'rev.four@acme.test', manager: '6620' },
];
const policy = `
policy:
  birthright: [{ system: okta, entitlements: ["group:everyone"] }]
  rules:
    - when: { department: Engineering }
      grant: [{ system: okta, entitlements: ["group:engineering"] }]
reviews: { dueAfter: 35s, schedule: "off" }
`;

beforeAll(async () => {
  ({ targets, engine, close } = await startEngineOnTargets({ yaml: policy }));
  store = new ReviewStore(engine.db);
  targets.seedGroups(['everyone', 'engineering', 'prod-db']);
  for (const w of workers) {
    // Engineering comes from policy; prod-db was granted by hand, in both systems.
    targets.seedWorker(w.login, ['engineering', 'prod-db']);
    const res = await postBambooWebhook(engine.url, hireDelivery(w.id, w.login, { department: 'Engineering', supervisorEId: w.manager }));
    expect(res.status).toBe(202);
    const joiner = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((id) => id.startsWith('joiner-'))!;
    await resultOf<JoinerResult>(engine.client, joiner);
  }
  // A short history limit: the reviewer with ten decisions continues as new on the way.
  campaignId = await startReviewCampaign(engine.client, { taskQueue: engine.taskQueue, reviews: engine.config.file.reviews, reviewerHistoryLimit: 60 });
  for (const deadline = Date.now() + 30_000; (await store.campaign(campaignId))?.status !== 'open'; ) {
    if (Date.now() > deadline) throw new Error('the campaign did not open');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  await close?.();
});

async function itemsOf(employeeId: string): Promise<ReviewItem[]> {
  const all: ReviewItem[] = [];
  for await (const page of store.items(campaignId)) all.push(...page.filter((i) => i.employeeId === employeeId));
  return all;
}

const find = (items: ReviewItem[], system: string, entitlement: string) => items.find((i) => i.system === system && i.entitlement === entitlement)!;

function decide(item: ReviewItem, body: unknown, token = adminToken) {
  return fetch(`${engine.url}/api/reviews/${campaignId}/items/${item.itemId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('an access review campaign', () => {
  it('reads every active worker\'s access live, marked policy or by hand, grouped by their manager', async () => {
    // Named for the day; a second campaign that day (another test file on the same server) gets -2.
    expect(campaignId).toMatch(/^review-\d{4}-\d{2}-\d{2}(-\d+)?$/);
    const campaign = (await store.campaign(campaignId))!;
    expect(campaign.snapshot?.systems.map((s) => [s.system, s.status, s.accounts])).toEqual([
      ['aws', 'succeeded', 4],
      ['okta', 'succeeded', 4],
    ]);
    const one = await itemsOf('6601');
    expect(one.map((i) => `${i.system}:${i.entitlement}:${i.basis}`).sort()).toEqual([
      'aws:group:engineering:hand',
      'aws:group:prod-db:hand',
      'okta:group:engineering:policy',
      'okta:group:everyone:policy',
      'okta:group:prod-db:hand',
    ]);
    expect(find(one, 'okta', 'group:engineering').rules).toEqual(['rules[0]']);
    expect(new Set(one.map((i) => i.reviewer))).toEqual(new Set(['manager:bamboohr:6600']));
    expect((await store.reviewers(campaignId)).map((r) => [r.reviewer, r.items])).toEqual([
      ['manager:bamboohr:6600', 10],
      ['manager:bamboohr:6610', 5],
      ['manager:bamboohr:6620', 5],
    ]);
    const opened = (await engine.services.evidence.forEmployee(`campaign:${campaignId}`)).map((e) => `${e.action}:${e.outcome}`);
    expect(opened).toEqual(expect.arrayContaining(['review.opened:success', 'review.system_read:success', 'review.snapshot_taken:success']));
  });

  it('refuses what is not a decision, a revoke without a reason and an auditor: nothing decided', async () => {
    const item = find(await itemsOf('6603'), 'okta', 'group:prod-db');
    expect((await decide(item, { decision: 'maybe' })).status).toBe(400);
    expect((await decide(item, { decision: 'revoke' })).status).toBe(400);
    expect((await decide(item, { decision: 'revoke', reason: 'x' }, auditorToken)).status).toBe(403);
    expect((await fetch(`${engine.url}/api/reviews/${campaignId}/items/nope`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{"decision":"keep"}' })).status).toBe(404);
    expect((await store.item(campaignId, item.itemId))?.status).toBe('pending');
  });

  it('one manager keeps everything: every item recorded kept, nothing removed', async () => {
    for (const id of ['6601', '6602']) for (const item of await itemsOf(id)) { const r = await decide(item, { decision: 'keep' }); expect(r.status, await r.text()).toBe(200); }
    const kept = [...(await itemsOf('6601')), ...(await itemsOf('6602'))];
    expect(kept.every((i) => i.status === 'kept' && i.decidedBy === 'api:admin' && i.decidedVia === 'api')).toBe(true);
    expect(targets.okta.user('rev.one@acme.test')?.groups).toEqual(expect.arrayContaining(['prod-db', 'engineering']));
  });

  it('another revokes a hand grant: gone from Okta at once, with evidence; a second decision is refused', async () => {
    const item = find(await itemsOf('6603'), 'okta', 'group:prod-db');
    const res = await decide(item, { decision: 'revoke', reason: 'left the database team' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outcome: { result: string; revokeOutcome: string }; item: ReviewItem };
    expect(body.outcome).toMatchObject({ result: 'decided', revokeOutcome: 'success' });
    expect(body.item).toMatchObject({ status: 'revoked', reason: 'left the database team', revokeOutcome: 'success', revokedAt: expect.any(String) });
    expect(targets.okta.user('rev.three@acme.test')?.groups).not.toContain('prod-db');
    expect(targets.scim.user('rev.three@acme.test')?.groups).toContain('prod-db');
    const evidence = (await engine.services.evidence.forEmployee('6603')).filter((e) => e.context.campaignId === campaignId || e.action === 'review.item_decided');
    expect(evidence.map((e) => `${e.action}:${e.system}:${e.entitlement}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['review.item_decided:okta:group:prod-db:success', 'entitlement.revoke:okta:group:prod-db:success']),
    );
    const again = await decide(item, { decision: 'keep' });
    expect(again.status).toBe(409);
    expect((await store.item(campaignId, item.itemId))?.status).toBe('revoked');
  });

  it('a revoked policy grant becomes an exception that names the campaign', async () => {
    const item = find(await itemsOf('6603'), 'okta', 'group:engineering');
    expect(item.basis).toBe('policy');
    expect((await decide(item, { decision: 'revoke', reason: 'moving to sales next month' })).status).toBe(200);
    expect(targets.okta.user('rev.three@acme.test')?.groups).not.toContain('engineering');
    expect(await store.exceptionsFor('bamboohr', '6603')).toEqual([{ system: 'okta', entitlement: 'group:engineering', campaignId, reason: 'moving to sales next month' }]);
  });

  it('a later mover run that grants it again says so, naming the review, and settles the exception', async () => {
    const w = workers[2]!;
    const res = await postBambooWebhook(engine.url, { employees: [{ ...hireDelivery(w.id, w.login, { department: 'Engineering', supervisorEId: w.manager, jobTitle: 'Staff Engineer' }).employees[0]!, action: 'Updated', changedFields: ['jobTitle'] }] });
    expect(res.status).toBe(202);
    const event = (res.body.events as { eventId: string; kind: string }[])[0]!;
    expect(event.kind).toBe('change');
    const mover = moverWorkflowId('bamboohr', w.id, event.eventId);
    await resultOf(engine.client, mover);
    expect(targets.okta.user(w.login)?.groups).toContain('engineering');
    const grant = (await engine.services.evidence.forEmployee(w.id)).find((e) => e.action === 'entitlement.grant' && e.context.workflowId === mover && e.entitlement === 'group:engineering')!;
    expect(grant.context.reason).toBe(`granted again by policy though revoked in access review ${campaignId} (moving to sales next month)`);
    expect(grant.context.reviewException).toMatchObject({ campaignId, revokedBy: 'api:admin' });
    expect(await store.exceptionsFor('bamboohr', w.id)).toEqual([]);
  });

  it('the console shows the campaign to an auditor, and an admin keeps an item there, recorded as the console admin', async () => {
    const item = find(await itemsOf('6603'), 'okta', 'group:everyone');
    const auditor = await signIn(engine.url, auditorToken);
    const seen = await (await auditor.get(`/console/reviews?campaign=${campaignId}`)).text();
    expect(seen).toContain(`data-item="${item.itemId}"`);
    expect(seen).toContain('Deciding needs an admin token');
    expect((await auditor.post(`/console/reviews/${campaignId}/items/${item.itemId}`, { decision: 'keep' })).status).toBe(403);
    const admin = await signIn(engine.url, adminToken);
    const noReason = await admin.post(`/console/reviews/${campaignId}/items/${item.itemId}`, { decision: 'revoke', reason: ' ' });
    expect(noReason.headers.get('location')).toContain('outcome=reason_required');
    const kept = await admin.post(`/console/reviews/${campaignId}/items/${item.itemId}`, { decision: 'keep' });
    expect(kept.status).toBe(303);
    expect(kept.headers.get('location')).toBe(`/console/reviews?campaign=${campaignId}&outcome=kept&id=${item.itemId}`);
    expect(await store.item(campaignId, item.itemId)).toMatchObject({ status: 'kept', decidedBy: 'console:admin', decidedVia: 'console' });
    const csv = await (await admin.get(`/console/downloads/access-review.csv?campaign=${campaignId}`)).text();
    expect(csv.split('\n').find((l) => l.includes(item.itemId))).toContain(',kept,console:admin,console,');
  });

  it('closes at the due date: what nobody decided is unreviewed, and the report rows are the decisions', { timeout: 60_000 }, async () => {
    const result = (await engine.client.workflow.getHandle(campaignId).result()) as AccessReviewResult;
    expect(result).toMatchObject({ items: 20, decided: 13, unreviewed: 7 });
    await recordHistory(engine.client, 'review-campaign', campaignId);
    await recordHistory(engine.client, 'review-reviewer-revoked', reviewerWorkflowId(campaignId, 'manager:bamboohr:6610'));
    // Its history kept short: the reviewer of ten decisions ran more than once, counting every decision.
    const keeper = result.reviewers.find((r) => r.reviewer === 'manager:bamboohr:6600')!;
    expect(keeper).toMatchObject({ items: 10, decided: 10 });
    expect(keeper.runs).toBeGreaterThan(1);
    expect((await store.campaign(campaignId))?.status).toBe('closed');
    expect((await itemsOf('6604')).every((i) => i.status === 'unreviewed')).toBe(true);
    const decision = await decide(find(await itemsOf('6604'), 'okta', 'group:prod-db'), { decision: 'keep' });
    expect(decision.status).toBe(409);
    const csv = await (await fetch(`${engine.url}/api/reports/access-reviews/${campaignId}?format=csv`, { headers: { authorization: `Bearer ${auditorToken}` } })).text();
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('campaignId,itemId,hrSource,employeeId,department,reviewer,system,entitlement,basis,rules,status,decidedBy,decidedVia,decidedAt,reason,revokeOutcome,revokedAt');
    expect(rows).toHaveLength(20);
    const statusOf = (employee: string, system: string, entitlement: string) => rows.find((r) => r.includes(`,${employee},`) && r.includes(`,${system},${entitlement},`))!.split(',')[10];
    expect(statusOf('6601', 'okta', 'group:prod-db')).toBe('kept');
    expect(statusOf('6603', 'okta', 'group:prod-db')).toBe('revoked');
    expect(statusOf('6604', 'aws', 'group:engineering')).toBe('unreviewed');
    const closed = (await engine.services.evidence.forEmployee(`campaign:${campaignId}`)).find((e) => e.action === 'review.closed')!;
    expect(closed.context).toMatchObject({ items: 20, decided: 13, unreviewed: 7 });
  });

  it('jml review status and jml report access-review say what an auditor sampling CC6.3 asks', async () => {
    const lines: string[] = [];
    expect(await runReviewStatus(store, parseArgs(['review', 'status', '--campaign', campaignId]), (l) => lines.push(l))).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(lines[0]).toBe(`${campaignId}: closed, opened ${today}, due ${today}, closed ${today}`);
    expect(lines).toContain('  items 20: kept 11, revoked 2, pending 0, not reviewed 7');
    expect(lines).toContain(`  Engineering: reviewed ${today}, 65% (13 of 20)`);
    expect(lines).toContain(`  manager bamboohr:6600: reviewed ${today}, 100% (10 of 10)`);
    expect(lines).toContain('  manager bamboohr:6620: not reviewed yet, 0% (0 of 5)');
    const out = join(await mkdtemp(join(tmpdir(), 'jml-review-')), 'review.pdf');
    expect(await runReportAccessReview(store, parseArgs(['report', 'access-review', '--campaign', campaignId, '--format', 'pdf', '--out', out]), () => undefined)).toBe(0);
    const text = (await renderPdfPages(await readFile(out))).map((p) => p.text).join('\n');
    expect(text).toContain(`Access review ${campaignId}`);
    expect(text).toMatch(/Items: 20\s+Kept: 11\s+Revoked: 2\s+Pending: 0\s+Not reviewed: 7/);
    expect(text).toContain('left the database team');
    expect(text.match(/unreviewed/g)?.length).toBe(7);
    await expect(runReportAccessReview(store, parseArgs(['report', 'access-review', '--campaign', campaignId, '--format', 'pdf']), () => undefined)).rejects.toThrow('--format pdf needs --out FILE');
  });

  it('the evidence export of the window holds the campaign, row for row as its report', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'jml-review-export-')), 'package');
    const today = new Date().toISOString().slice(0, 10);
    await runEvidenceExport(engine.db, { from: today, to: today, out: dir }, () => undefined);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
    expect(manifest.files.map((f) => f.name)).toContain(`access-reviews/${campaignId}.csv`);
    const csv = await (await fetch(`${engine.url}/api/reports/access-reviews/${campaignId}?format=csv`, { headers: { authorization: `Bearer ${auditorToken}` } })).text();
    expect(await readFile(join(dir, 'access-reviews', `${campaignId}.csv`), 'utf8')).toBe(csv);
    const events = (await readFile(join(dir, 'evidence.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    for (const action of ['review.opened', 'review.snapshot_taken', 'review.item_decided', 'review.closed']) expect(events).toContain(action);
  });
});
