import { MicrosoftGraphConnector } from '../../../src/connectors/microsoft-graph/connector';
import { startGraphPeer, type GraphPeer } from '../../peers/graph-peer';
import type { ContractPair, EnginePair, EnginePairOptions, Pair } from './pair';

export const GRAPH_TENANT_ID = '8b4f3c2a-6d1e-4f7a-9c35-2e0d1b7a4f61';
export const GRAPH_CLIENT_ID = '3f6e2a10-94c1-4b8e-a7d2-5c0b9e1f8a34';
export const GRAPH_SECRET = 'graph-test-secret~Q8v2Lx';
/** An app registration consented everything but GroupMember.ReadWrite.All. */
export const GRAPH_LIMITED_CLIENT_ID = 'c1d2e3f4-0a1b-4c2d-8e3f-405162738495';
export const GRAPH_ROLES = ['User.ReadWrite.All', 'GroupMember.ReadWrite.All', 'User.RevokeSessions.All'];

export interface GraphPair extends Pair {
  connector: MicrosoftGraphConnector;
  peer: GraphPeer;
  make(options?: { secret?: string; clientId?: string; maxInlineWaitMs?: number }): MicrosoftGraphConnector;
}

export async function enginePair(options: EnginePairOptions = {}): Promise<EnginePair> {
  const pair = await graphPair(100, options.latencyMs);
  return {
    ...pair,
    system: (id) => ({
      entry: { id, type: 'microsoft-graph', tenantId: GRAPH_TENANT_ID, clientId: GRAPH_CLIENT_ID, clientSecretEnv: 'GRAPH_E2E_SECRET', authority: pair.peer.url, graphUrl: pair.peer.graphUrl },
      secrets: { GRAPH_E2E_SECRET: GRAPH_SECRET },
    }),
    setLatency: (ms) => pair.peer.setLatency(ms),
  };
}

/** Pages of two, so every listing follows @odata.nextLink. */
export async function graphPair(pageLimit = 2, latencyMs?: number): Promise<GraphPair> {
  const peer = await startGraphPeer({
    tenantId: GRAPH_TENANT_ID,
    pageLimit,
    latencyMs,
    apps: [
      { clientId: GRAPH_CLIENT_ID, secret: GRAPH_SECRET, roles: GRAPH_ROLES },
      { clientId: GRAPH_LIMITED_CLIENT_ID, secret: GRAPH_SECRET, roles: ['User.ReadWrite.All'] },
    ],
  });
  const make = (options: { secret?: string; clientId?: string; maxInlineWaitMs?: number } = {}) =>
    new MicrosoftGraphConnector({
      id: 'entra',
      tenantId: GRAPH_TENANT_ID,
      clientId: options.clientId ?? GRAPH_CLIENT_ID,
      clientSecret: options.secret ?? GRAPH_SECRET,
      authority: peer.url,
      graphUrl: peer.graphUrl,
      maxInlineWaitMs: options.maxInlineWaitMs,
    });
  return {
    peer,
    make,
    connector: make(),
    connectorWithToken: (secret) => make({ secret }),
    token: GRAPH_SECRET,
    kind: 'group',
    killsSessions: true,
    pageSize: pageLimit,
    seedAccount: (login, seed = {}) =>
      peer.seedUser({ userPrincipalName: login, groups: seed.groups, sessions: seed.sessions, accountEnabled: !(seed.pending || seed.disabled) }).id,
    seedGroup: (name) => void peer.seedGroup({ displayName: name }),
    deleteAccount: (login) => peer.deleteUser(login),
    groupsAt: (login) => peer.user(login)?.groups ?? [],
    sessionsEnded: (login) => peer.user(login)?.sessions === 0,
    disabledAt: (login) => peer.user(login)?.accountEnabled === false,
    lackingPermission: () => ({ connector: make({ clientId: GRAPH_LIMITED_CLIENT_ID }), missing: 'GroupMember.ReadWrite.All' }),
    rateLimitNext: (seconds) => peer.rateLimitNext(1, seconds),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
}

export const pairs: ContractPair[] = [{ name: 'microsoft-graph', start: () => graphPair() }];
