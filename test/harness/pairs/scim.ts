import { ScimConnector } from '../../../src/connectors/scim/connector';
import { startScimPeer, type ScimPeer, type ScimPeerOptions } from '../../peers/scim-peer';
import type { ContractPair, EnginePair, EnginePairOptions, Pair } from './pair';

export interface ScimPairOptions extends Omit<ScimPeerOptions, 'token'> {
  retryAfter?: 'seconds' | 'http-date';
  pageSize?: number;
}

export async function scimPair(options: ScimPairOptions = {}): Promise<Pair> {
  return (await startPair(options)).pair;
}

export async function enginePair(options: EnginePairOptions = {}): Promise<EnginePair> {
  const { pair, peer } = await startPair({ latencyMs: options.latencyMs, pageSize: 100 });
  return {
    ...pair,
    system: (id) => ({ entry: { id, type: 'scim', baseUrl: peer.url, tokenEnv: 'SCIM_E2E_TOKEN' }, secrets: { SCIM_E2E_TOKEN: pair.token } }),
    setLatency: (ms) => peer.setLatency(ms),
  };
}

async function startPair(options: ScimPairOptions): Promise<{ pair: Pair; peer: ScimPeer }> {
  const token = 'scim-test-token-5b1e2d';
  const { retryAfter = 'seconds', pageSize = 2, ...peerOptions } = options;
  const peer = await startScimPeer({ token, ...peerOptions });
  const profile = peerOptions.profile ?? 'rfc7644';
  const make = (t: string) => new ScimConnector({ id: 'scim', baseUrl: peer.url, token: t, profile, pageSize });
  const pair: Pair = {
    connector: make(token),
    connectorWithToken: make,
    token,
    kind: 'group',
    killsSessions: false,
    pageSize,
    seedAccount: (login, seed = {}) => peer.seedUser({ userName: login, groups: seed.groups, active: !(seed.pending || seed.disabled) }).id,
    seedGroup: (name) => void peer.seedGroup({ displayName: name }),
    deleteAccount: (login) => peer.deleteUser(login),
    groupsAt: (login) => peer.user(login)?.groups ?? [],
    sessionsEnded: (login) => peer.user(login)?.active === false,
    disabledAt: (login) => peer.user(login)?.active === false,
    rateLimitNext: (seconds) => peer.rateLimitNext(1, seconds, retryAfter),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
  return { pair, peer };
}

export const pairs: ContractPair[] = [
  { name: 'scim rfc7644 (scimmy)', start: () => scimPair() },
  { name: 'scim rfc7644 without members filter, HTTP-date Retry-After', start: () => scimPair({ memberFilter: false, retryAfter: 'http-date' }) },
  { name: 'scim aws-identity-center', start: () => scimPair({ profile: 'aws-identity-center' }) },
  { name: 'scim entra-id', start: () => scimPair({ profile: 'entra-id' }) },
];
