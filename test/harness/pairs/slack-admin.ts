import { SlackAdminConnector, type SlackAdminConnectorOptions } from '../../../src/connectors/slack-admin/connector';
import { ALL_SCOPES, peerTeamId, startSlackAdminPeer, type SlackAdminPeer } from '../../peers/slack-admin-peer';
import type { ContractPair, EnginePair, EnginePairOptions, Pair } from './pair';

export const slackAdminToken = 'xoxp-grid-admin-3c9e71';
/** A token whose app was not granted usergroups:write. */
export const slackAdminReadOnlyGroupsToken = 'xoxp-grid-admin-nowrite-8d2a';

/** Rates high enough that the contract is not paced by Slack's tiers (pacing has its own test). */
export const unpacedTiers: SlackAdminConnectorOptions['tiers'] = {
  tier2: { perMinute: 60_000, burst: 1000 },
  tier3: { perMinute: 60_000, burst: 1000 },
  tier4: { perMinute: 60_000, burst: 1000 },
};

export function slackAdminConnector(peer: SlackAdminPeer, token: string, extra: Partial<SlackAdminConnectorOptions> = {}): SlackAdminConnector {
  return new SlackAdminConnector({
    id: 'slack',
    token,
    apiUrl: peer.apiUrl,
    scimUrl: peer.scimUrl,
    teamId: peerTeamId,
    scimShare: 1,
    pageSize: 1,
    coalesceWindowMs: 20,
    sessionCheckIntervalMs: 20,
    sessionCheckTimeoutMs: 2000,
    tiers: unpacedTiers,
    ...extra,
  });
}

export async function enginePair(options: EnginePairOptions = {}): Promise<EnginePair> {
  const { pair, peer } = await startPair(options.latencyMs);
  return {
    ...pair,
    system: (id) => ({
      entry: { id, type: 'slack-admin', tokenEnv: 'SLACK_ADMIN_E2E_TOKEN', apiUrl: peer.apiUrl, scimUrl: peer.scimUrl, teamId: peerTeamId },
      secrets: { SLACK_ADMIN_E2E_TOKEN: slackAdminToken },
    }),
    setLatency: (ms) => peer.setLatency(ms),
  };
}

export async function slackAdminPair(): Promise<Pair> {
  return (await startPair()).pair;
}

async function startPair(latencyMs?: number): Promise<{ pair: Pair; peer: SlackAdminPeer }> {
  const peer = await startSlackAdminPeer({
    tokens: { [slackAdminToken]: ALL_SCOPES, [slackAdminReadOnlyGroupsToken]: ALL_SCOPES.filter((s) => s !== 'usergroups:write') },
    bulkDelayMs: 50,
    latencyMs,
  });
  const make = (t: string) => slackAdminConnector(peer, t);
  const pair: Pair = {
    connector: make(slackAdminToken),
    connectorWithToken: make,
    token: slackAdminToken,
    kind: 'usergroup',
    killsSessions: true,
    pageSize: 1,
    seedAccount: (login, seed = {}) => peer.seedUser({ email: login, groups: seed.groups, sessions: seed.sessions, active: !(seed.pending || seed.disabled) }).id,
    seedGroup: (name) => peer.seedGroup(name),
    deleteAccount: (login) => peer.org.removeUser(peer.user(login)!.id),
    groupsAt: (login) => peer.groupsOf(login),
    sessionsEnded: (login) => (peer.user(login)?.sessions.length ?? 0) === 0,
    disabledAt: (login) => peer.user(login)?.active === false,
    lackingPermission: () => ({ connector: make(slackAdminReadOnlyGroupsToken), missing: 'usergroups:write' }),
    rateLimitNext: (seconds) => peer.rateLimitNext(seconds),
    failNext: (status) => peer.failNext(status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
  return { pair, peer };
}

export const pairs: ContractPair[] = [{ name: 'slack-admin (Enterprise Grid)', start: slackAdminPair }];
