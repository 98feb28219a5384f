import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { orphanScheduleId } from '../../src/temporal/orphan-schedule';
import type { OrphanRunResult } from '../../workflows/orphans';
import { hrEvent, storeHrHistory } from '../harness/orphans';
import { slackBotToken, slackSigningSecret } from '../harness/slack';
import { startTargets, type Targets } from '../harness/targets';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';
import { startSlackPeer, type SlackPeer } from '../peers/slack-peer';

/**
 * Orphan reconciliation end to end: the engine's daily Temporal Schedule runs the workflow on the
 * shared dev server, each system (the Okta peer, the SCIM server) is listed on its own, new
 * orphans go into evidence and one message to the security channel, and auditors read the report.
 */
const channel = '#sec-orphans';
let targets: Targets;
let slack: SlackPeer;
let engine: TestEngine;

beforeAll(async () => {
  targets = await startTargets();
  slack = await startSlackPeer({ token: slackBotToken });
  engine = await startTestEngine({
    yaml: `${targets.systemsYaml}\nsla: { securityChannel: "${channel}" }\norphans: { every: 1d }\n`,
    env: { SLACK_BOT_TOKEN: slackBotToken, SLACK_SIGNING_SECRET: slackSigningSecret, SLACK_API_URL: slack.url },
    secrets: targets.secrets,
  });
  await storeHrHistory(engine.db, [
    hrEvent('1101', 'hire', 'ada.active@acme.test'),
    hrEvent('1102', 'hire', 'ben.leaver@acme.test'),
    hrEvent('1103', 'hire', 'cara.disabled@acme.test'),
    hrEvent('1102', 'terminate', 'ben.leaver@acme.test', { immediate: true }),
    hrEvent('1103', 'terminate', 'cara.disabled@acme.test', { immediate: true }),
  ]);
  for (const login of ['ada.active@acme.test', 'ben.leaver@acme.test', 'ghost.unknown@acme.test']) {
    targets.okta.seedUser({ login });
    targets.scim.seedUser({ userName: login });
  }
  targets.okta.seedUser({ login: 'cara.disabled@acme.test', status: 'SUSPENDED' });
  targets.scim.seedUser({ userName: 'cara.disabled@acme.test', active: false });
});

afterAll(async () => {
  await engine?.close();
  await slack?.close();
  await targets?.close();
});

const channelMessages = () => slack.messages().filter((m) => m.channel === channel);
const evidenceOf = (action: string) => engine.services.evidence.range({ actions: [action] });
const runNow = (name: string) =>
  engine.client.workflow.execute<() => Promise<OrphanRunResult>>('orphanReconcileWorkflow', { taskQueue: engine.taskQueue, workflowId: `orphans-${name}-${engine.taskQueue}` });
const report = (query: string, token?: string) => fetch(`${engine.url}/api/reports/orphans${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('orphan reconciliation workflow', () => {
  it('runs daily on a Temporal Schedule; its first run finds the leaver left behind and the unknown account in both systems', async () => {
    const handle = engine.client.schedule.getHandle(orphanScheduleId(engine.taskQueue));
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(86_400_000);
    await handle.trigger();
    const run = await vi.waitFor(
      async () => {
        for await (const w of engine.client.workflow.list({ query: `WorkflowType = 'orphanReconcileWorkflow' AND TaskQueue = '${engine.taskQueue}' AND ExecutionStatus = 'Completed'` })) return w;
        throw new Error('no completed run yet');
      },
      { timeout: 30_000, interval: 250 },
    );
    const result = (await engine.client.workflow.getHandle(run.workflowId).result()) as OrphanRunResult;
    expect(result.systems.map((s) => [s.system, s.status, s.accounts, s.newOrphans]).sort()).toEqual([['aws', 'succeeded', 4, 2], ['okta', 'succeeded', 4, 2]]);
    expect(result).toMatchObject({ runId: run.workflowId, detected: 4, notified: true });

    const detected = await evidenceOf('orphan.detected');
    expect(detected.map((e) => `${e.system} ${e.context.hrStatus} ${e.context.reason} ${e.employeeId}`).sort()).toEqual([
      'aws terminated left 1102',
      'aws unknown unknown_to_hr account:aws:' + targets.scim.user('ghost.unknown@acme.test')!.id,
      'okta terminated left 1102',
      'okta unknown unknown_to_hr account:okta:' + targets.okta.user('ghost.unknown@acme.test')!.id,
    ]);
    for (const e of detected) expect(e).toMatchObject({ outcome: 'success', actorType: 'engine', context: { orphanRun: run.workflowId, accountId: expect.any(String) } });
    const reconciled = await evidenceOf('orphans.reconciled');
    expect(reconciled.map((e) => `${e.system} ${e.outcome}`).sort()).toEqual(['aws success', 'okta success']);
    // Evidence and the channel carry IDs only: no login or email anywhere.
    expect(JSON.stringify([...detected, ...reconciled])).not.toMatch(/@acme\.test/);

    const messages = channelMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toContain('4 new orphan accounts');
    expect(JSON.stringify(messages[0])).not.toMatch(/@acme\.test/);
  });

  it('a second run raises nothing new: no evidence, no message, and first sightings stay', async () => {
    const before = (await (await report('', auditorToken)).json()) as { orphans: { accountId: string; firstSeenAt: string }[] };
    const result = await runNow('second');
    expect(result).toMatchObject({ detected: 0, resolved: 0, notified: false });
    expect(result.systems.every((s) => s.status === 'succeeded' && s.newOrphans === 0 && s.orphans === 2)).toBe(true);
    expect(await evidenceOf('orphan.detected')).toHaveLength(4);
    expect(channelMessages()).toHaveLength(1);
    const after = (await (await report('', auditorToken)).json()) as typeof before;
    expect(after.orphans.map((o) => [o.accountId, o.firstSeenAt])).toEqual(before.orphans.map((o) => [o.accountId, o.firstSeenAt]));
  });

  it('a system whose listing fails is reported failed while the other system’s new orphans are still found', async () => {
    targets.okta.seedUser({ login: 'gil.ghost@acme.test' });
    targets.scim.failFor(120_000, 403);
    try {
      const result = await runNow('failing');
      const bySystem = Object.fromEntries(result.systems.map((s) => [s.system, s]));
      expect(bySystem.okta).toMatchObject({ status: 'succeeded', newOrphans: 1, orphans: 3 });
      expect(bySystem.aws).toMatchObject({ status: 'failed', error: expect.stringMatching(/^unauthorized: aws: GET \/scim\/v2\/Users answered 403/) });
      expect(result).toMatchObject({ detected: 1, notified: true });
    } finally {
      targets.scim.failFor(0, 503);
    }
    const failed = (await evidenceOf('orphans.reconciled')).filter((e) => e.outcome === 'failure');
    expect(failed.map((e) => e.system)).toEqual(['aws']);
    const message = channelMessages().at(-1)!;
    expect(message.text).toContain('1 new orphan account.');
    expect(message.text).toContain('Listing failed in aws');

    const res = await report('?format=json', auditorToken);
    expect(res.headers.get('x-jml-failed-systems')).toBe('aws');
    const body = (await res.json()) as { summary: { count: number; failedSystems: string[] }; systems: { system: string; status: string }[] };
    // The failed system's orphans are still shown, as of its last listing that worked.
    expect(body.summary).toMatchObject({ count: 5, failedSystems: ['aws'] });
    expect(body.systems.find((s) => s.system === 'aws')?.status).toBe('failed');
  });

  it('GET /api/reports/orphans is for auditors: 401 without or with an unknown token, 403 for admin', async () => {
    expect((await report('')).status).toBe(401);
    expect((await report('', 'not-a-known-token-at-all')).status).toBe(401);
    expect((await report('', adminToken)).status).toBe(403);
    const bad = await report('?format=pdf', auditorToken);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'unsupported_format' });
  });

  it('answers CSV with the logins auditors need, one line per orphan', async () => {
    const res = await report('?format=csv', auditorToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('system,accountId,login,lastHrStatus,reason,orphanedSince,orphanedDays,orphanedSeconds,firstSeenAt,lastSeenAt,hrSource,employeeId');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => `${r[0]} ${r[2]} ${r[3]}`).sort()).toEqual([
      'aws ben.leaver@acme.test terminated',
      'aws ghost.unknown@acme.test unknown',
      'okta ben.leaver@acme.test terminated',
      'okta ghost.unknown@acme.test unknown',
      'okta gil.ghost@acme.test unknown',
    ]);
  });
});
