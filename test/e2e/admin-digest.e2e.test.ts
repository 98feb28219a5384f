import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaverResult } from '../../workflows/leaver';
import { postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { startEngineOnTargets } from '../harness/engine-on-targets';
import { slackBotToken, slackSigningSecret } from '../harness/slack';
import type { TestEngine } from '../harness/test-engine';
import type { Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';
import { startSlackPeer, type SlackPeer } from '../peers/slack-peer';

let targets: Targets;
let slack: SlackPeer;
let engine: TestEngine;
let close: () => Promise<void>;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const people = Array.from({ length: 6 }, (_, i) => ({ id: String(7301 + i), login: `digest.person${i}@acme.test` }));

beforeAll(async () => {
  slack = await startSlackPeer({ token: slackBotToken });
  ({ targets, engine, close } = await startEngineOnTargets({
    yaml: 'notifications: { adminChannel: "#it-access", every: 400ms }\n',
    env: { SLACK_BOT_TOKEN: slackBotToken, SLACK_SIGNING_SECRET: slackSigningSecret, SLACK_API_URL: slack.url },
  }));
});

afterAll(async () => {
  await close?.();
  await slack?.close();
});

describe('the admin channel hears of every access change, batched', () => {
  it('a layoff of six is a few messages that count every disable and revoke the evidence holds, with IDs and no personal data', { timeout: 90_000 }, async () => {
    for (const p of people) targets.seedWorker(p.login, ['engineering', 'prod-readonly']);
    const delivery = { employees: people.flatMap((p) => terminationDelivery(p.id, p.login, yesterday).employees) };
    const res = await postBambooWebhook(engine.url, delivery);
    expect(res.status).toBe(202);
    const leavers = (res.body.events as { workflowIds: string[] }[]).map((e) => e.workflowIds.find((id) => id.startsWith('leaver-'))!);
    expect(leavers).toHaveLength(6);
    for (const id of leavers) expect((await resultOf<LeaverResult>(engine.client, id)).slaBreached).toBe(false);

    const evidence = await engine.db.query<{ action: string; system: string; n: string }>(
      `SELECT action, system, count(*) AS n FROM evidence_events WHERE outcome = 'success' AND action IN ('account.disable', 'entitlement.revoke') AND employee_id = ANY($1) GROUP BY 1, 2`,
      [people.map((p) => p.id)],
    );
    const expected = (action: string) => evidence.rows.filter((r) => r.action === action).reduce((n, r) => n + Number(r.n), 0);
    expect(expected('account.disable')).toBe(12);

    // Every change reaches the channel within a couple of digest intervals.
    const counted = (kind: RegExp) =>
      slack
        .messages()
        .filter((m) => m.channel === '#it-access')
        .reduce((n, m) => n + Number(kind.exec(m.text ?? '')?.[1] ?? 0), 0);
    for (const deadline = Date.now() + 10_000; counted(/• (\d+) accounts? disabled/) < 12 || counted(/• (\d+) entitlements? revoked/) < expected('entitlement.revoke'); ) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const messages = slack.messages().filter((m) => m.channel === '#it-access');
    expect(counted(/• (\d+) accounts? disabled/)).toBe(12);
    expect(counted(/• (\d+) entitlements? revoked/)).toBe(expected('entitlement.revoke'));
    // A handful of messages for 24+ changes, each naming systems and the workers by ID.
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThanOrEqual(6);
    const text = messages.map((m) => m.text ?? '').join('\n');
    expect(text).toMatch(/accounts? disabled \((aws \d+, )?okta \d+\)|accounts? disabled \(aws \d+\)/);
    for (const p of people) expect(text).toContain(`bamboohr:${p.id}`);
    for (const p of people) expect(text).not.toContain(p.login);
    expect(text).not.toMatch(/@acme\.test|Test Worker/);
  });
});
