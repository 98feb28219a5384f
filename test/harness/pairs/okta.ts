import { OktaConnector } from '../../../src/connectors/okta/connector';
import { startOktaPeer, type OktaPeer } from '../../peers/okta-peer';
import type { ContractPair, EnginePair, EnginePairOptions, Pair } from './pair';

export async function oktaPair(): Promise<Pair> {
  // Pages of one, so every list call follows Okta's Link pagination.
  return (await startPair({ pageLimit: 1 })).pair;
}

export async function enginePair(options: EnginePairOptions = {}): Promise<EnginePair> {
  const { pair, peer } = await startPair({ latencyMs: options.latencyMs });
  return {
    ...pair,
    system: (id) => ({ entry: { id, type: 'okta', baseUrl: peer.url, tokenEnv: 'OKTA_E2E_TOKEN' }, secrets: { OKTA_E2E_TOKEN: pair.token } }),
    setLatency: (ms) => peer.setLatency(ms),
  };
}

async function startPair(options: { pageLimit?: number; latencyMs?: number }): Promise<{ pair: Pair; peer: OktaPeer }> {
  const token = 'okta-test-token-7f3a9c';
  const peer = await startOktaPeer({ token, ...options });
  const make = (t: string) => new OktaConnector({ id: 'okta', baseUrl: peer.url, token: t, pageLimit: options.pageLimit });
  const pair: Pair = {
    connector: make(token),
    connectorWithToken: make,
    token,
    kind: 'group',
    killsSessions: true,
    pageSize: 1,
    seedAccount: (login, seed = {}) =>
      peer.seedUser({
        login,
        groups: seed.groups,
        sessions: seed.sessions,
        oauthTokens: seed.sessions,
        status: seed.pending ? 'STAGED' : seed.disabled ? 'SUSPENDED' : 'ACTIVE',
        hasPassword: !seed.pending,
      }).id,
    seedGroup: (name) => void peer.seedGroup({ name }),
    deleteAccount: (login) => peer.deleteUser(login),
    groupsAt: (login) => (peer.user(login)?.groups ?? []).filter((g) => g !== 'Everyone'),
    sessionsEnded: (login) => peer.sessionsOf(login) === 0 && peer.user(login)?.oauthTokens === 0,
    disabledAt: (login) => ['SUSPENDED', 'DEPROVISIONED'].includes(peer.user(login)?.status ?? ''),
    rateLimitNext: (seconds) => peer.rateLimitNext(1, seconds),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
  return { pair, peer };
}


export const pairs: ContractPair[] = [{ name: 'okta', start: oktaPair }];
