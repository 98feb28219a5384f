/**
 * Each connector with the local peer that stands for its system, as the shared connector
 * contract drives them. Assertions read the peer's state (what the system now holds).
 */
import { OktaConnector } from '../../src/connectors/okta/connector';
import { ScimConnector } from '../../src/connectors/scim/connector';
import type { Connector } from '../../src/connectors/types';
import { startOktaPeer } from '../peers/okta-peer';
import type { PeerRequest } from '../peers/request-log';
import { startScimPeer, type ScimPeerOptions } from '../peers/scim-peer';

export interface SeedAccount {
  groups?: string[];
  /** Live sessions / issued tokens at the system. */
  sessions?: number;
  /** Created but never activated (Okta STAGED, SCIM active=false). */
  pending?: boolean;
  disabled?: boolean;
}

/** What the contract needs from a connector + peer pair. */
export interface Pair {
  connector: Connector;
  connectorWithToken(token: string): Connector;
  token: string;
  /** Whether the system has a session kill (SCIM has none: deactivation ends access). */
  killsSessions: boolean;
  /** Results per page the connector asks for, so tests can seed more than a page. */
  pageSize: number;
  seedAccount(login: string, seed?: SeedAccount): string;
  seedGroup(name: string): void;
  deleteAccount(login: string): void;
  /** Group names the peer holds for the account. */
  groupsAt(login: string): string[];
  /** The peer says the person can no longer use an existing session or token. */
  sessionsEnded(login: string): boolean;
  disabledAt(login: string): boolean;
  rateLimitNext(seconds: number): void;
  failNext(status: number): void;
  requests(): PeerRequest[];
  writes(): PeerRequest[];
  close(): Promise<void>;
}

export async function oktaPair(): Promise<Pair> {
  const token = 'okta-test-token-7f3a9c';
  // Pages of one, so every list call follows Okta's Link pagination.
  const peer = await startOktaPeer({ token, pageLimit: 1 });
  const make = (t: string) => new OktaConnector({ id: 'okta', baseUrl: peer.url, token: t, pageLimit: 1 });
  return {
    connector: make(token),
    connectorWithToken: make,
    token,
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

export interface ScimPairOptions extends Omit<ScimPeerOptions, 'token'> {
  retryAfter?: 'seconds' | 'http-date';
  pageSize?: number;
}

export async function scimPair(options: ScimPairOptions = {}): Promise<Pair> {
  const token = 'scim-test-token-5b1e2d';
  const { retryAfter = 'seconds', pageSize = 2, ...peerOptions } = options;
  const peer = await startScimPeer({ token, ...peerOptions });
  const profile = peerOptions.profile ?? 'rfc7644';
  const make = (t: string) => new ScimConnector({ id: 'scim', baseUrl: peer.url, token: t, profile, pageSize });
  return {
    connector: make(token),
    connectorWithToken: make,
    token,
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
}
