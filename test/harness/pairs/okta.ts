import { OktaConnector } from '../../../src/connectors/okta/connector';
import { startOktaPeer } from '../../peers/okta-peer';
import type { ContractPair, Pair } from './pair';

export async function oktaPair(): Promise<Pair> {
  const token = 'okta-test-token-7f3a9c';
  // Pages of one, so every list call follows Okta's Link pagination.
  const peer = await startOktaPeer({ token, pageLimit: 1 });
  const make = (t: string) => new OktaConnector({ id: 'okta', baseUrl: peer.url, token: t, pageLimit: 1 });
  return {
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
}


export const pairs: ContractPair[] = [{ name: 'okta', start: oktaPair }];
