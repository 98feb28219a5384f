import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { GoogleWorkspaceConnector, type GoogleWorkspaceConnectorOptions } from '../../../src/connectors/google-workspace/connector';
import { parseServiceAccountKey, type ServiceAccountKey } from '../../../src/connectors/google-workspace/key';
import { SCOPES } from '../../../src/connectors/google-workspace/scopes';
import { startGooglePeer, type GooglePeer } from '../../peers/google-peer';
import type { ContractPair, EnginePair, EnginePairOptions, Pair } from './pair';

export const GOOGLE_DOMAIN = 'acme.test';
export const GOOGLE_ADMIN = 'it-automation@acme.test';
export const ALL_SCOPES = Object.values(SCOPES);

/** A service account's JSON key file as the Cloud console downloads it, and its public half. */
export function serviceAccountKeyFile(clientEmail: string, clientId: string, keyId: string): { json: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'acme-jml',
    private_key_id: keyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: clientEmail,
    client_id: clientId,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  return { json, publicKey };
}

export interface GoogleWorld {
  peer: GooglePeer;
  /** The registered service account's key (all scopes delegated). */
  key: ServiceAccountKey;
  keyJson: string;
  keyId: string;
  make(options?: Partial<GoogleWorkspaceConnectorOptions>): GoogleWorkspaceConnector;
  /** Another service account, registered with only `scopes` delegated. */
  serviceAccountWith(scopes: string[]): ServiceAccountKey;
}

const PAGE_SIZE = 2;
let accounts = 0;

export async function startGoogleWorld(options: { latencyMs?: number } = {}): Promise<GoogleWorld> {
  const peer = await startGooglePeer({ domain: GOOGLE_DOMAIN, latencyMs: options.latencyMs });
  peer.seedUser({ primaryEmail: GOOGLE_ADMIN, isAdmin: true });
  const register = (scopes: string[]) => {
    const n = ++accounts;
    const keyId = `5c1d${n.toString(16).padStart(4, '0')}e2f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4`;
    const clientEmail = `jml-${n}@acme-jml.iam.gserviceaccount.com`;
    const clientId = String(104_883_220_000_000_000_000n + BigInt(n));
    const { json, publicKey } = serviceAccountKeyFile(clientEmail, clientId, keyId);
    peer.registerServiceAccount({ clientEmail, clientId, keyId, publicKey, scopes });
    return { json, keyId, key: parseServiceAccountKey('google', json, 'test') };
  };
  const main = register(ALL_SCOPES);
  const make = (options: Partial<GoogleWorkspaceConnectorOptions> = {}) =>
    new GoogleWorkspaceConnector({
      id: 'google',
      key: main.key,
      adminSubject: GOOGLE_ADMIN,
      tokenUrl: peer.tokenUrl,
      baseUrl: peer.url,
      domain: GOOGLE_DOMAIN,
      userPageSize: PAGE_SIZE,
      groupPageSize: PAGE_SIZE,
      ...options,
    });
  return { peer, key: main.key, keyJson: main.json, keyId: main.keyId, make, serviceAccountWith: (scopes) => register(scopes).key };
}

export async function enginePair(options: EnginePairOptions = {}): Promise<EnginePair> {
  const world = await startGoogleWorld(options);
  const pair = pairOf(world);
  return {
    ...pair,
    system: (id) => ({
      entry: { id, type: 'google-workspace', adminSubject: GOOGLE_ADMIN, keyEnv: 'GOOGLE_E2E_KEY', tokenUrl: world.peer.tokenUrl, baseUrl: world.peer.url, domain: GOOGLE_DOMAIN },
      secrets: { GOOGLE_E2E_KEY: world.keyJson },
    }),
    setLatency: (ms) => world.peer.setLatency(ms),
    failNextMatching: (method, path, status) => world.peer.failNextMatching(method, path, status),
  };
}

export async function googlePair(): Promise<Pair> {
  return pairOf(await startGoogleWorld());
}

function pairOf(world: GoogleWorld): Pair {
  const { peer, make } = world;
  // The contract's "token" is the key's ID. A connector "with another token" signs with a key of
  // that ID the peer never registered (a deleted or rotated key), so its signature fails.
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return {
    connector: make(),
    connectorWithToken: (keyId) => make({ key: { ...world.key, keyId, privateKey: stranger } }),
    token: world.keyId,
    kind: 'group',
    killsSessions: true,
    pageSize: PAGE_SIZE,
    seedAccount: (login, seed = {}) =>
      peer.seedUser({
        primaryEmail: login,
        groups: seed.groups,
        sessions: seed.sessions,
        tokens: seed.sessions,
        asps: seed.sessions,
        suspended: seed.disabled,
        neverSignedIn: seed.pending,
      }).id,
    seedGroup: (name) => void peer.seedGroup(name),
    deleteAccount: (login) => peer.deleteUser(login),
    groupsAt: (login) => peer.user(login)?.groups ?? [],
    sessionsEnded: (login) => {
      const u = peer.user(login);
      return u !== undefined && u.sessions === 0 && u.tokens === 0 && u.asps === 0;
    },
    disabledAt: (login) => peer.user(login)?.suspended === true,
    lackingPermission: () => ({ connector: make({ key: world.serviceAccountWith(ALL_SCOPES.filter((s) => s !== SCOPES.security)) }), missing: SCOPES.security }),
    rateLimitNext: (seconds) => peer.rateLimitNext(1, { retryAfterSeconds: seconds }),
    failNext: (status) => peer.failNext(1, status),
    requests: () => peer.requests(),
    writes: () => peer.writes(),
    close: () => peer.close(),
  };
}

export const pairs: ContractPair[] = [{ name: 'google-workspace', start: googlePair }];
