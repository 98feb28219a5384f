/**
 * An in-memory Google Workspace peer, written from Google's documented behaviour: the OAuth token
 * endpoint for service accounts (JWT bearer grant, domain-wide delegation) and the Admin SDK
 * Directory API (users, suspension, sign-out, OAuth grants, app passwords, groups and members)
 * with Google's error bodies, per-method scopes, page tokens and rate-limit answers. Paths the API
 * does not have get Google's front end's HTML 404, which is no "not found" of the API's.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';
import { directoryRoutes, newCodeId, type DirectoryState } from './google-directory-routes';
import { googleError, type StoredGroup, type StoredUser } from './google-directory-wire';
import { tokenEndpoint, type IssuedAccessToken, type ServiceAccountClient, type TokenEndpointState } from './google-token-endpoint';

export interface GooglePeerOptions {
  domain: string;
  /** Access token lifetime the endpoint grants (Google: 3599 s). */
  tokenLifetimeSeconds?: number;
  /** Added before every Directory API answer (benchmarks use 150 ms). */
  latencyMs?: number;
}

export interface SeedGoogleUser {
  primaryEmail: string;
  aliases?: string[];
  suspended?: boolean;
  archived?: boolean;
  isAdmin?: boolean;
  /** Group names (local parts in the domain) or emails. */
  groups?: string[];
  sessions?: number;
  /** OAuth grants to third-party apps. */
  tokens?: number;
  /** Application-specific passwords. */
  asps?: number;
  neverSignedIn?: boolean;
}

export interface GoogleUserView {
  id: string;
  primaryEmail: string;
  suspended: boolean;
  archived: boolean;
  orgUnitPath: string;
  changePasswordAtNextLogin: boolean;
  groups: string[];
  sessions: number;
  tokens: number;
  asps: number;
}

export interface RateLimitInjection {
  /** 429 (with Retry-After when `retryAfterSeconds` is set) or Google's 403 with this reason. */
  reason?: 'rateLimitExceeded' | 'userRateLimitExceeded' | 'quotaExceeded';
  retryAfterSeconds?: number;
}

export interface GooglePeer {
  url: string;
  /** The token endpoint (`tokenUrl` in the connector's config). */
  tokenUrl: string;
  close(): Promise<void>;
  /** A service account whose JWTs the endpoint accepts, with the scopes delegated to its client ID. */
  registerServiceAccount(account: { clientEmail: string; clientId: string; keyId: string; publicKey: KeyObject; scopes: string[] }): void;
  delegate(clientId: string, scopes: string[]): void;
  seedUser(user: SeedGoogleUser): { id: string };
  seedGroup(nameOrEmail: string): { id: string; email: string };
  seedOrgUnit(path: string): void;
  user(email: string): GoogleUserView | undefined;
  deleteUser(email: string): void;
  deleteGroup(nameOrEmail: string): void;
  /** Directory API requests in arrival order (the token endpoint's are in tokenRequests). */
  requests(): PeerRequest[];
  writes(): PeerRequest[];
  tokenRequests(): PeerRequest[];
  failNext(n: number, status: number): void;
  /**
   * Answers the next request whose method and path match with `status`, its error message quoting
   * the decoded path (as a vendor echoing the user key it was given would); other requests pass.
   */
  failNextMatching(method: string, path: RegExp, status: number): void;
  rateLimitNext(n: number, how: RateLimitInjection): void;
  /** Answers the next n API requests with 404 and no body, as a gateway in front of the API might. */
  bareNotFoundNext(n: number): void;
  /** Every access token issued so far stops working (revoked, or expired early). */
  revokeAccessTokens(): void;
  setLatency(ms: number): void;
}

export async function startGooglePeer(options: GooglePeerOptions): Promise<GooglePeer> {
  const domain = options.domain.toLowerCase();
  const users = new Map<string, StoredUser>();
  const groups = new Map<string, StoredGroup>();
  const clients = new Map<string, ServiceAccountClient>();
  const accessTokens = new Map<string, IssuedAccessToken>();
  const orgUnits = new Set(['/']);
  const log: PeerRequest[] = [];
  const tokenLog: PeerRequest[] = [];
  const aimedFailures: { method: string; path: RegExp; status: number }[] = [];
  const injected: ({ kind: 'fail'; status: number } | { kind: 'limit'; how: RateLimitInjection } | { kind: 'bare404' })[] = [];
  let baseUrl = '';
  let latencyMs = options.latencyMs ?? 0;

  const newId = () => String(100_000_000_000_000_000_000n + BigInt(`0x${randomBytes(8).toString('hex')}`));
  const emailOf = (nameOrEmail: string) => (nameOrEmail.includes('@') ? nameOrEmail : `${nameOrEmail}@${domain}`).toLowerCase();
  const userByKey = (key: string) => {
    const lower = key.toLowerCase();
    return users.get(key) ?? [...users.values()].find((u) => u.primaryEmail === lower || u.aliases.includes(lower));
  };
  const groupByKey = (key: string) => {
    const lower = key.toLowerCase();
    return groups.get(key) ?? [...groups.values()].find((g) => g.email === lower || g.aliases.includes(lower));
  };
  const state: DirectoryState = { domain, customerId: 'C0peer42x', users, groups, orgUnits, userByKey, groupByKey, newId: () => newId() };
  const tokenState: TokenEndpointState = {
    clients,
    tokens: accessTokens,
    userExists: (email) => userByKey(email) !== undefined,
    url: () => `${baseUrl}/token`,
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  };

  const app = express();
  app.disable('x-powered-by');
  const record = (into: PeerRequest[]) => (req: Request, res: Response, next: NextFunction) => {
    const entry: PeerRequest = { method: req.method, path: req.path, query: req.originalUrl.split('?')[1] ?? '', body: req.body, at: Date.now(), status: 0 };
    into.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.body = req.body;
    });
    res.locals.entry = entry;
    next();
  };
  app.post('/token', record(tokenLog), express.urlencoded({ extended: false }), tokenEndpoint(tokenState));

  const api = express.Router();
  api.use(record(log), express.json());
  api.use((_req, _res, next) => void (latencyMs > 0 ? setTimeout(next, latencyMs) : next()));
  api.use((req, res, next) => {
    const header = req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? accessTokens.get(header.slice(7)) : undefined;
    if (!token || token.expiresAtMs <= Date.now()) {
      res.set('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
      return res.status(401).json({
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
          status: 'UNAUTHENTICATED',
        },
      });
    }
    // The Directory API acts as the subject: only an admin may call it.
    const subject = userByKey(token.subject);
    if (!subject?.isAdmin || subject.suspended) return googleError(res, 403, 'Not Authorized to access this resource/api', 'forbidden');
    res.locals.token = token;
    const aimed = aimedFailures.findIndex((f) => f.method === req.method && f.path.test(req.path));
    if (aimed >= 0) {
      const [f] = aimedFailures.splice(aimed, 1);
      return googleError(res, f!.status, `Backend Error while serving ${decodeURIComponent(req.path)}`, f!.status >= 500 ? 'backendError' : 'badRequest');
    }
    const next1 = injected.shift();
    if (next1?.kind === 'fail') return googleError(res, next1.status, next1.status >= 500 ? 'Backend Error' : 'Bad Request', next1.status >= 500 ? 'backendError' : 'badRequest');
    if (next1?.kind === 'bare404') return res.status(404).end();
    if (next1?.kind === 'limit') {
      const { reason, retryAfterSeconds } = next1.how;
      if (retryAfterSeconds !== undefined) {
        res.set('Retry-After', String(retryAfterSeconds));
        (res.locals.entry as PeerRequest).retryAt = (res.locals.entry as PeerRequest).at + retryAfterSeconds * 1000;
      }
      if (reason) return googleError(res, 403, reason === 'quotaExceeded' ? 'Quota exceeded.' : 'Rate Limit Exceeded', reason);
      return googleError(res, 429, 'Rate Limit Exceeded', 'rateLimitExceeded');
    }
    next();
  });
  api.use(directoryRoutes(state));
  app.use('/admin/directory/v1', api);
  app.use((req, res) => {
    res.status(404).type('html').send(`<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>${req.path.replace(/[<>&]/g, '')}</code> was not found on this server. <ins>That’s all we know.</ins>`);
  });
  app.use((err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') return googleError(res, 400, 'Invalid JSON payload received. Unexpected token.', 'parseError');
    googleError(res, 500, 'Internal Error', 'internalError');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function seedGroup(nameOrEmail: string) {
    const email = emailOf(nameOrEmail);
    const existing = groupByKey(email);
    if (existing) return { id: existing.id, email };
    const group: StoredGroup = { id: `0${randomBytes(7).toString('hex')}`, email, name: email.split('@')[0]!, aliases: [], members: new Map() };
    groups.set(group.id, group);
    return { id: group.id, email };
  }
  const requireUser = (email: string) => {
    const u = userByKey(email);
    if (!u) throw new Error(`google peer: no user ${email}`);
    return u;
  };

  return {
    url: baseUrl,
    tokenUrl: `${baseUrl}/token`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    registerServiceAccount({ clientEmail, clientId, keyId, publicKey, scopes }) {
      const existing = clients.get(clientEmail);
      if (existing) existing.keys.set(keyId, publicKey);
      else clients.set(clientEmail, { clientEmail, clientId, keys: new Map([[keyId, publicKey]]), delegated: new Set(scopes) });
    },
    delegate(clientId, scopes) {
      for (const c of clients.values()) if (c.clientId === clientId) c.delegated = new Set(scopes);
    },
    seedUser(seed) {
      const email = seed.primaryEmail.toLowerCase();
      if (userByKey(email)) throw new Error(`google peer: user ${email} already exists`);
      const [given = 'Test', family = 'User'] = email.split('@')[0]!.split('.');
      const created = new Date().toISOString();
      const user: StoredUser = {
        id: newId(),
        primaryEmail: email,
        aliases: (seed.aliases ?? []).map((a) => a.toLowerCase()),
        name: { givenName: given, familyName: family },
        suspended: seed.suspended ?? false,
        archived: seed.archived ?? false,
        isAdmin: seed.isAdmin ?? false,
        orgUnitPath: '/',
        creationTime: created,
        lastLoginTime: seed.neverSignedIn ? '1970-01-01T00:00:00.000Z' : created,
        changePasswordAtNextLogin: false,
        sessions: seed.sessions ?? 0,
        tokens: Array.from({ length: seed.tokens ?? 0 }, (_, i) => ({ clientId: `${100000 + i}-app${i}.apps.googleusercontent.com`, displayText: `App ${i}`, scopes: ['openid', 'email'] })),
        asps: Array.from({ length: seed.asps ?? 0 }, (_, i) => ({ codeId: newCodeId(), name: `Mail client ${i}`, creationTime: String(Date.now()), lastTimeUsed: '0' })),
      };
      users.set(user.id, user);
      for (const g of seed.groups ?? []) groups.get(seedGroup(g).id)!.members.set(user.id, 'MEMBER');
      return { id: user.id };
    },
    seedGroup,
    seedOrgUnit: (path) => void orgUnits.add(path),
    user(email) {
      const u = userByKey(email);
      if (!u) return undefined;
      const names = [...groups.values()].filter((g) => g.members.has(u.id)).map((g) => (g.email.endsWith(`@${domain}`) ? g.email.slice(0, -domain.length - 1) : g.email));
      return {
        id: u.id,
        primaryEmail: u.primaryEmail,
        suspended: u.suspended,
        archived: u.archived,
        orgUnitPath: u.orgUnitPath,
        changePasswordAtNextLogin: u.changePasswordAtNextLogin,
        groups: names.sort(),
        sessions: u.sessions,
        tokens: u.tokens.length,
        asps: u.asps.length,
      };
    },
    deleteUser(email) {
      const u = requireUser(email);
      users.delete(u.id);
      for (const g of groups.values()) g.members.delete(u.id);
    },
    deleteGroup(nameOrEmail) {
      const g = groupByKey(emailOf(nameOrEmail));
      if (!g) throw new Error(`google peer: no group ${nameOrEmail}`);
      groups.delete(g.id);
    },
    requests: () => log.map((r) => ({ ...r })),
    writes: () => log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => ({ ...r })),
    tokenRequests: () => tokenLog.map((r) => ({ ...r })),
    failNext(n, status) {
      for (let i = 0; i < n; i++) injected.push({ kind: 'fail', status });
    },
    failNextMatching(method, path, status) {
      aimedFailures.push({ method, path, status });
    },
    rateLimitNext(n, how) {
      for (let i = 0; i < n; i++) injected.push({ kind: 'limit', how });
    },
    bareNotFoundNext(n) {
      for (let i = 0; i < n; i++) injected.push({ kind: 'bare404' });
    },
    revokeAccessTokens: () => accessTokens.clear(),
    setLatency: (ms) => {
      latencyMs = ms;
    },
  };
}
