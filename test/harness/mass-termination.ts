import { expect, vi } from 'vitest';
import type { HoldRecord } from '../../src/leaver/hold-store';
import type { SlackPeerMessage } from '../peers/slack-peer';
import { postBambooWebhook, terminationDelivery } from './bamboohr';
import type { SlackWorld } from './slack-world';
import { adminToken } from './test-engine';

/** Helpers for the mass-termination guard's tests: leavers in bursts, holds, the security channel. */

export const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
export const loginOf = (employeeId: string) => `burst.${employeeId}@acme.test`;

/**
 * Hold IDs are per database (hold-<hris>-<n>) while the test run's Temporal server is shared:
 * each test engine starts its hold numbers at its own offset.
 */
export async function numberHoldsFrom(world: SlackWorld, n: number): Promise<void> {
  await world.engine.db.query(`INSERT INTO leaver_guard_sources (hr_source, holds_opened) VALUES ('bamboohr', $1)`, [n]);
}

/** A worker with live sessions in both systems is terminated (by default dated yesterday: acted on at once); answers the leaver's workflow ID. */
export async function terminate(world: SlackWorld, employeeId: string, date = yesterday): Promise<string> {
  world.targets.seedWorker(loginOf(employeeId), ['engineering']);
  const delivery = terminationDelivery(employeeId, loginOf(employeeId), date);
  world.bamboo.setEmployee(employeeId, delivery.employees[0]!.fields);
  const res = await postBambooWebhook(world.engine.url, delivery);
  expect(res.status).toBe(202);
  return (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
}

/** The hold, once it holds `members` leavers. */
export async function holdWith(world: SlackWorld, holdId: string, members: number): Promise<HoldRecord> {
  return vi.waitFor(
    async () => {
      const hold = await world.engine.services.holds.get(holdId);
      if (!hold || hold.members < members) throw new Error(`hold ${holdId} has ${hold?.members ?? 0} members, waiting for ${members}`);
      return hold;
    },
    { timeout: 20_000, interval: 100 },
  );
}

/** Messages in a channel that are about a hold (its ID is on the buttons and in the text). */
export function holdMessages(world: SlackWorld, channel: string, holdId: string): SlackPeerMessage[] {
  return world.slack.messages().filter((m) => m.channel === channel && JSON.stringify(m.blocks ?? []).includes(holdId));
}

export async function decideViaApi(world: SlackWorld, holdId: string, body: unknown, options: { token?: string; contentType?: string; raw?: string } = {}) {
  const res = await fetch(`${world.engine.url}/api/leavers/hold/${holdId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token ?? adminToken}`, 'content-type': options.contentType ?? 'application/json' },
    body: options.raw ?? JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Okta sessions and account state, and the SCIM account's state, of a burst worker. */
export function accountsOf(world: SlackWorld, employeeId: string) {
  const login = loginOf(employeeId);
  return { oktaSessions: world.targets.okta.sessionsOf(login), oktaStatus: world.targets.okta.user(login)?.status, scimActive: world.targets.scim.user(login)?.active };
}
