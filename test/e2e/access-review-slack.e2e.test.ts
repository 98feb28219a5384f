import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { jmlBin } from '../harness/jml-process';
import type { JoinerResult } from '../../workflows/joiner';
import type { AccessReviewResult } from '../../workflows/review';
import { ReviewStore } from '../../src/reviews/store';
import type { ReviewItem } from '../../src/reviews/types';
import { reviewKeepActionId, reviewKeepAllActionId, reviewRevokeActionId, reviewRevokeReasonCallbackId, reasonActionId, reasonBlockId } from '../../src/slack/ids';
import { postSlackInteraction, slackSigningSecret, viewSubmissionPayload } from '../harness/slack';
import { click, deliver, ephemeralsTo, startSlackWorld, type Person, type SlackWorld } from '../harness/slack-world';
import type { SlackPeerMessage } from '../peers/slack-peer';
import { recordHistory, resultOf } from '../harness/workflows';
import { reviewerWorkflowId } from '../../src/reviews/ids';
import { orphanScheduleId } from '../../src/temporal/orphan-schedule';

/**
 * An access review decided in Slack (the Slack Web API peer, Slack's real request signing): three
 * managers, one keeping all, one revoking a hand grant (gone from Okta at once), one never
 * answering (reminded, escalated, unreviewed at close); a stranger's click and a self-review
 * refused and recorded.
 */
const keeper: Person = { slackId: 'UREVKEEP', email: 'keeper.manager@acme.test', employeeId: '8930' };
const revoker: Person = { slackId: 'UREVREVK', email: 'revoker.manager@acme.test', employeeId: '8940' };
const silent: Person = { slackId: 'UREVSILENT', email: 'silent.manager@acme.test', employeeId: '8950' };
// A fallback reviewer who is also a worker with no manager: asked to review their own access.
const fallback: Person = { slackId: 'UREVFALLBK', email: 'fallback.reviewer@acme.test', employeeId: '8935' };
const stranger: Person = { slackId: 'UREVSTRNGR', email: 'stranger@acme.test', employeeId: '8999' };
const workers = [
  { id: '8931', login: 'kept.worker@acme.test', manager: keeper },
  { id: '8941', login: 'revoked.worker@acme.test', manager: revoker },
  { id: '8951', login: 'silent.worker@acme.test', manager: silent },
  { id: fallback.employeeId, login: fallback.email, manager: undefined },
];

const reviewYaml = `
policy:
  birthright: [{ system: okta, entitlements: ["group:everyone"] }]
reviews: { dueAfter: 30s, remindEvery: 9s, escalateAfter: 14s, fallbackReviewers: [${fallback.slackId}], schedule: "off" }
sla: { securityChannel: "#sec-reviews" }
`;

let world: SlackWorld;
let store: ReviewStore;
let campaignId: string;

beforeAll(async () => {
  world = await startSlackWorld({ people: [keeper, revoker, silent, fallback, stranger], yaml: reviewYaml });
  store = new ReviewStore(world.engine.db);
  for (const w of workers) {
    world.targets.seedWorker(w.login, ['prod-db']);
    const event = await deliver(world, w.id, 'Created', { workEmail: w.login, firstName: `W${w.id}`, lastName: 'Worker', status: 'Active', hireDate: '2024-01-08', terminationDate: null, department: 'Engineering', ...(w.manager ? { supervisorEId: w.manager.employeeId } : {}) });
    await resultOf<JoinerResult>(world.engine.client, event.workflowIds.find((id) => id.startsWith('joiner-'))!);
  }
  // An account no worker owns, found by the orphan reconciliation before the campaign opens.
  world.targets.okta.seedUser({ login: 'nobody.knows@acme.test', email: 'nobody.knows@acme.test', status: 'ACTIVE' });
  const orphans = world.engine.client.schedule.getHandle(orphanScheduleId(world.engine.taskQueue));
  await orphans.trigger();
  const run = await vi.waitFor(async () => (await orphans.describe()).info.recentActions[0]!.action.workflow, { timeout: 15_000 });
  await world.engine.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
  // As an admin would: `jml review start`, with the deployment's config and Temporal settings.
  const dir = await mkdtemp(join(tmpdir(), 'jml-review-cli-'));
  await writeFile(join(dir, 'jml.config.yaml'), `${world.targets.systemsYaml}\n${reviewYaml}`);
  const started = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [jmlBin, 'review', 'start'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: world.engine.taskQueue, ...world.targets.secrets } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
  expect(started.code, started.stderr).toBe(0);
  campaignId = /^access review (\S+) started/.exec(started.stdout)![1]!;
  await vi.waitFor(async () => expect((await store.campaign(campaignId))?.status).toBe('open'), { timeout: 30_000, interval: 100 });
  // Each reviewer's workflow asks them as it starts: four reviewers (three managers, the fallback).
  await vi.waitFor(async () => expect((await world.engine.services.evidence.forEmployee(`campaign:${campaignId}`)).filter((e) => e.action === 'review.asked')).toHaveLength(4), { timeout: 30_000, interval: 100 });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

const messagesTo = (who: Person) => world.slack.messages().filter((m) => m.user === who.slackId && JSON.stringify(m.blocks ?? []).includes(campaignId) && m.text.startsWith('Access review'));
const itemsOf = async (employeeId: string) => {
  const all: ReviewItem[] = [];
  for await (const page of store.items(campaignId)) all.push(...page.filter((i) => i.employeeId === employeeId));
  return all;
};
const value = (items: ReviewItem[]) => `${campaignId}|${items.map((i) => i.itemId).join(',')}`;
const find = (items: ReviewItem[], system: string, entitlement: string) => items.find((i) => i.system === system && i.entitlement === entitlement)!;
const only = (m: SlackPeerMessage[]) => {
  expect(m).toHaveLength(1);
  return m[0]!;
};

describe('an access review in Slack', () => {
  it('sends each manager one message per direct report, every entitlement with Keep / Revoke and its basis', async () => {
    const message = only(messagesTo(keeper));
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('W8931 Worker');
    expect(text).toContain('group:everyone');
    expect(text).toContain('given by policy (birthright)');
    expect(text).toContain('granted by hand');
    expect(text).toContain(reviewKeepActionId);
    expect(text).toContain(reviewRevokeActionId);
    expect(text).toContain(reviewKeepAllActionId);
    expect(messagesTo(revoker)).toHaveLength(1);
    // The worker with no manager goes to the fallback reviewer.
    expect(messagesTo(fallback).some((m) => JSON.stringify(m.blocks).includes('employee `8935`'))).toBe(true);
    // The account nobody owns is handed to the security channel, not to a manager.
    const security = world.slack.messages().filter((m) => m.channel === '#sec-reviews' && m.text.includes(campaignId));
    expect(security.map((m) => m.text)).toEqual([expect.stringContaining('1 account(s) that no active worker owns are open orphans (okta: 1)')]);
  });

  it("refuses a stranger's click and a self-review, answering each and recording it", async () => {
    const item = find(await itemsOf('8931'), 'okta', 'group:prod-db');
    await click(world.engine, stranger, only(messagesTo(keeper)), reviewKeepActionId, value([item]));
    const own = find(await itemsOf(fallback.employeeId), 'okta', 'group:prod-db');
    const ownMessage = messagesTo(fallback).find((m) => JSON.stringify(m.blocks).includes(own.itemId))!;
    await click(world.engine, fallback, ownMessage, reviewKeepActionId, value([own]));
    expect((await ephemeralsTo(world.slack, stranger))[0]).toContain('not the reviewer');
    expect((await ephemeralsTo(world.slack, fallback))[0]).toContain('cannot review your own access');
    await vi.waitFor(async () => {
      const refused = [...(await world.engine.services.evidence.forEmployee('8931')), ...(await world.engine.services.evidence.forEmployee(fallback.employeeId))].filter((e) => e.action === 'review.refused');
      expect(refused.map((e) => [e.actorId, e.context.reason])).toEqual(expect.arrayContaining([[stranger.slackId, 'not_a_reviewer'], [fallback.slackId, 'self_review']]));
    });
    expect((await store.item(campaignId, item.itemId))?.status).toBe('pending');
    expect((await store.item(campaignId, own.itemId))?.status).toBe('pending');
  });

  it('Keep all: every item on the page kept by the manager, the message updated to say so', async () => {
    const items = await itemsOf('8931');
    const message = only(messagesTo(keeper));
    await click(world.engine, keeper, message, reviewKeepAllActionId, value(items));
    await vi.waitFor(async () => expect((await itemsOf('8931')).every((i) => i.status === 'kept' && i.decidedBy === keeper.slackId && i.decidedVia === 'slack')).toBe(true), { timeout: 15_000 });
    await vi.waitFor(() => {
      const updated = world.slack.messages().find((m) => m.ts === message.ts)!;
      expect(updated.updates).toBeGreaterThan(0);
      expect(JSON.stringify(updated.blocks)).toContain(`Kept by <@${keeper.slackId}>`);
      expect(JSON.stringify(updated.blocks)).not.toContain(reviewRevokeActionId);
    });
  });

  it('Revoke asks for a reason, then the hand grant is gone from Okta at once, with evidence', async () => {
    const item = find(await itemsOf('8941'), 'okta', 'group:prod-db');
    const message = only(messagesTo(revoker));
    await click(world.engine, revoker, message, reviewRevokeActionId, value([item]), { triggerId: 'trig-review-1' });
    const view = await vi.waitFor(() => world.slack.views().find((v) => v.trigger_id === 'trig-review-1')!.view);
    expect(view.callback_id).toBe(reviewRevokeReasonCallbackId);
    const submitted = await postSlackInteraction(
      world.engine.url,
      slackSigningSecret,
      viewSubmissionPayload({ userId: revoker.slackId, callbackId: reviewRevokeReasonCallbackId, privateMetadata: String(view.private_metadata), values: { [reasonBlockId]: { [reasonActionId]: { type: 'plain_text_input', value: 'no longer on the database team' } } } }),
    );
    expect(submitted.status).toBe(200);
    await vi.waitFor(async () => expect(await store.item(campaignId, item.itemId)).toMatchObject({ status: 'revoked', revokeOutcome: 'success', decidedBy: revoker.slackId, reason: 'no longer on the database team' }), { timeout: 15_000 });
    expect(world.targets.okta.user('revoked.worker@acme.test')?.groups).not.toContain('prod-db');
    const actions = (await world.engine.services.evidence.forEmployee('8941')).filter((e) => e.context.campaignId === campaignId).map((e) => `${e.action}:${e.system}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['review.item_decided:okta:success', 'entitlement.revoke:okta:success']));
  });

  it('the silent manager is reminded, then escalated to the fallback reviewer, and their items close unreviewed', { timeout: 60_000 }, async () => {
    const result = (await world.engine.client.workflow.getHandle(campaignId).result()) as AccessReviewResult;
    const silentReview = result.reviewers.find((r) => r.reviewer === `manager:bamboohr:${silent.employeeId}`)!;
    expect(silentReview).toMatchObject({ decided: 0, escalated: true });
    await recordHistory(world.engine.client, 'review-reviewer-escalated', reviewerWorkflowId(campaignId, silentReview.reviewer));
    await recordHistory(world.engine.client, 'review-reviewer-slack-decided', reviewerWorkflowId(campaignId, `manager:bamboohr:${revoker.employeeId}`));
    expect(silentReview.reminders).toBeGreaterThanOrEqual(1);
    expect(world.slack.messages().some((m) => m.user === silent.slackId && m.text.startsWith('Reminder #1'))).toBe(true);
    // Escalated: the fallback reviewer got the silent manager's worker too.
    expect(messagesTo(fallback).some((m) => JSON.stringify(m.blocks).includes('employee `8951`'))).toBe(true);
    expect((await itemsOf('8951')).every((i) => i.status === 'unreviewed')).toBe(true);
    const recorded = await world.engine.services.evidence.forEmployee(`campaign:${campaignId}`);
    expect(recorded.map((e) => e.action)).toEqual(expect.arrayContaining(['review.asked', 'review.reminded', 'review.escalated', 'review.closed']));
    // Recorded as done only as far as Slack took the messages.
    const reminded = recorded.find((e) => e.action === 'review.reminded' && e.context.reviewer === silentReview.reviewer)!;
    expect(reminded).toMatchObject({ outcome: 'success', context: { sent: 1, asked: [silent.slackId] } });
    const escalatedTo = recorded.find((e) => e.action === 'review.escalated' && e.context.reviewer === silentReview.reviewer)!;
    expect(escalatedTo).toMatchObject({ outcome: 'success', context: { to: [fallback.slackId], refused: 0 } });
    expect(escalatedTo.context.messages).toBeGreaterThan(0);
    expect(recorded.find((e) => e.action === 'review.orphans_handed_over')).toMatchObject({ outcome: 'success', context: { total: 1, posted: true } });
  });
});
