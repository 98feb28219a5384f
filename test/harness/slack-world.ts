import { expect, vi } from 'vitest';
import type { ApprovalRecord } from '../../src/approvals/types';
import type { EvidenceRecord } from '../../src/evidence/types';
import { start as startBambooPeer, type BambooPeer } from '../peers/bamboohr-peer';
import { startSlackPeer, type SlackPeer, type SlackPeerMessage } from '../peers/slack-peer';
import { bambooSecret, postBambooWebhook } from './bamboohr';
import { blockActionsPayload, postSlackInteraction, slackBotToken, slackSigningSecret } from './slack';
import { startTargets, type Targets } from './targets';
import { startTestEngine, type TestEngine } from './test-engine';

/** People in the Slack workspace and in BambooHR (IDs are per test file to keep runs apart). */
export interface Person {
  slackId: string;
  email: string;
  employeeId: string;
}

export interface SlackWorld {
  engine: TestEngine;
  slack: SlackPeer;
  bamboo: BambooPeer;
  targets: Targets;
  close(): Promise<void>;
}

const bambooKey = 'bamboohr-api-key-for-tests';

/**
 * The engine with Slack configured against the Slack Web API peer, BambooHR's API peer for
 * manager look-ups, and the Okta peer + SCIM server as target systems.
 */
export async function startSlackWorld(options: { people: Person[]; yaml: string }): Promise<SlackWorld> {
  const targets = await startTargets();
  targets.seedGroups(['everyone', 'engineering', 'prod-admin']);
  const slack = await startSlackPeer({ token: slackBotToken, users: options.people.map((p) => ({ id: p.slackId, email: p.email, name: p.email.split('@')[0] })) });
  const bamboo = await startBambooPeer({ apiKey: bambooKey });
  for (const p of options.people) bamboo.setEmployee(p.employeeId, { workEmail: p.email, firstName: p.email.split('@')[0] ?? null, lastName: 'Person' });
  const engine = await startTestEngine({
    yaml: `${targets.systemsYaml}\n${options.yaml}`,
    env: {
      BAMBOOHR_WEBHOOK_SECRET: bambooSecret,
      BAMBOOHR_API_URL: bamboo.url,
      BAMBOOHR_API_KEY: bambooKey,
      SLACK_BOT_TOKEN: slackBotToken,
      SLACK_SIGNING_SECRET: slackSigningSecret,
      SLACK_API_URL: slack.url,
    },
    secrets: targets.secrets,
  });
  return {
    engine,
    slack,
    bamboo,
    targets,
    async close() {
      await engine.close();
      await slack.close();
      await bamboo.close();
      await targets.close();
    },
  };
}

/**
 * A field-based BambooHR delivery for a worker (hire: Created, anything else: Updated); the
 * BambooHR API peer holds the same record, as BambooHR would when the engine reads it back.
 */
export async function deliver(
  world: Pick<SlackWorld, 'engine' | 'bamboo'>,
  employeeId: string,
  action: 'Created' | 'Updated',
  fields: Record<string, string | null>,
  changedFields: string[] = [],
): Promise<{ eventId: string; kind: string; workflowIds: string[] }> {
  world.bamboo.setEmployee(employeeId, fields);
  const res = await postBambooWebhook(world.engine.url, { employees: [{ id: employeeId, action, timestamp: new Date().toISOString(), changedFields, fields }] });
  expect(res.status).toBe(202);
  return (res.body.events as { eventId: string; kind: string; workflowIds: string[] }[])[0]!;
}

/** The approval request DM a person got for an employee's approval, once it arrives. */
export async function approvalMessageFor(slack: SlackPeer, to: Person, approvalId: string): Promise<SlackPeerMessage> {
  return vi.waitFor(
    () => {
      const found = slack.messages().find((m) => m.user === to.slackId && JSON.stringify(m.blocks ?? []).includes(approvalId));
      if (!found) throw new Error(`no approval message to ${to.slackId} yet`);
      return found;
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** The pending approval of an employee, once the workflow has opened it. */
export async function pendingApproval(engine: TestEngine, employeeId: string): Promise<ApprovalRecord> {
  return vi.waitFor(
    async () => {
      const found = (await engine.services.approvals.pending()).find((a) => a.employeeId === employeeId);
      if (!found) throw new Error(`no pending approval for ${employeeId} yet`);
      return found;
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** A person clicks a button on a message; returns Slack's HTTP answer. */
export function click(engine: TestEngine, who: Person, message: SlackPeerMessage, actionId: string, approvalId: string, extra: { triggerId?: string } = {}) {
  return postSlackInteraction(
    engine.url,
    slackSigningSecret,
    blockActionsPayload({ userId: who.slackId, actionId, value: approvalId, channelId: message.channel, messageTs: message.ts, ...extra }),
  );
}

/** Evidence events of an employee with a given action, once at least `count` exist. */
export async function evidenceOf(engine: TestEngine, employeeId: string, action: string, count = 1): Promise<EvidenceRecord[]> {
  return vi.waitFor(
    async () => {
      const found = (await engine.services.evidence.forEmployee(employeeId)).filter((e) => e.action === action);
      if (found.length < count) throw new Error(`${found.length} ${action} evidence events for ${employeeId}, waiting for ${count}`);
      return found;
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** The ephemeral answers a person got, once at least `count` exist. */
export async function ephemeralsTo(slack: SlackPeer, who: Person, count = 1): Promise<string[]> {
  return vi.waitFor(
    () => {
      const texts = slack.ephemerals().filter((e) => e.user === who.slackId).map((e) => e.text);
      if (texts.length < count) throw new Error(`${texts.length} ephemeral answers to ${who.slackId}`);
      return texts;
    },
    { timeout: 15_000, interval: 50 },
  );
}
