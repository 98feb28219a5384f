import { GithubConnector } from '../../../src/connectors/github/connector';
import { startGithubPeer, type GithubPeer, type GithubPeerOptions } from '../../peers/github-peer';
import type { ContractPair, EnginePair, EnginePairOptions, Pair } from './pair';

export const GITHUB_TOKEN = 'ghp-test-token-3d9b71';
/** A classic token that can read the organisation but not administer it. */
export const GITHUB_READ_ONLY_TOKEN = 'ghp-read-only-token-51c2';

/** A GitHub login for a work email: GitHub logins are letters, digits and single hyphens. */
export function githubLoginFor(email: string): string {
  return email.split('@')[0]!.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 39);
}

export interface GithubPairOptions extends Partial<Omit<GithubPeerOptions, 'tokens'>> {
  pageSize?: number;
  /** 'login': accounts are matched by a GitHub login from HR (its members have no SAML identity). */
  matchBy?: 'saml' | 'login';
}

/** With matchByField, the system matches accounts by that HR field (GitHub logins from HR) rather than SAML identities. */
export async function enginePair(options: EnginePairOptions & { matchByField?: string } = {}): Promise<EnginePair & { peer: GithubPeer }> {
  const field = options.matchByField;
  const { pair, peer } = await startPair({ pageSize: 100, latencyMs: options.latencyMs, ...(field ? { matchBy: 'login' as const } : {}) });
  const identity = field ? { identity: { by: 'hrField', field } } : {};
  return {
    ...pair,
    peer,
    system: (id) => ({ entry: { id, type: 'github', baseUrl: peer.url, org: peer.org.login, tokenEnv: 'GITHUB_E2E_TOKEN', ...identity }, secrets: { GITHUB_E2E_TOKEN: GITHUB_TOKEN } }),
    setLatency: (ms) => peer.setLatency(ms),
  };
}

export async function githubPair(options: GithubPairOptions = {}): Promise<Pair> {
  return (await startPair(options)).pair;
}

async function startPair(options: GithubPairOptions): Promise<{ pair: Pair; peer: GithubPeer }> {
  const { pageSize = 2, matchBy = 'saml', ...peerOptions } = options;
  const peer = await startGithubPeer({ ...peerOptions, tokens: { [GITHUB_TOKEN]: ['admin:org', 'repo'], [GITHUB_READ_ONLY_TOKEN]: ['read:org'] } });
  const make = (t: string) => new GithubConnector({ id: 'github', baseUrl: peer.url, org: peer.org.login, token: t, pageSize, matchBy });
  const byLogin = matchBy === 'login';
  const loginOf = (email: string) => peer.org.identities.find((i) => i.nameId.toLowerCase() === email.toLowerCase())?.login ?? githubLoginFor(email);
  const pair: Pair = {
    connector: make(GITHUB_TOKEN),
    connectorWithToken: make,
    token: GITHUB_TOKEN,
    kind: 'team',
    killsSessions: false,
    pageSize,
    ...(byLogin ? { lookupOf: githubLoginFor } : {}),
    // Seeded sessions stand for credentials authorised for the org's SAML SSO (PATs, SSH keys).
    seedAccount: (email, seed = {}) =>
      peer.seedUser({ login: githubLoginFor(email), ...(byLogin ? {} : { nameId: email }), membership: seed.pending ? 'pending' : seed.disabled ? null : 'active', teams: seed.groups, credentials: seed.sessions }),
    seedGroup: (name) => void peer.seedTeam(name),
    deleteAccount: (email) => peer.deleteUser(loginOf(email)),
    groupsAt: (email) => peer.teamsOf(loginOf(email)),
    // GitHub has no session to end: access is over when there is no membership and no authorised credential.
    sessionsEnded: (email) => !peer.org.membership(loginOf(email)) && peer.org.credentialsOf(loginOf(email)).length === 0,
    disabledAt: (email) => !peer.org.membership(loginOf(email)),
    lackingPermission: () => ({ connector: make(GITHUB_READ_ONLY_TOKEN), missing: 'admin:org' }),
    rateLimitNext: (seconds) => peer.rateLimitNext(1, seconds),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
  return { pair, peer };
}

export const pairs: ContractPair[] = [
  { name: 'github', start: () => githubPair() },
  { name: 'github (matched by a login from HR)', start: () => githubPair({ matchBy: 'login' }) },
];
