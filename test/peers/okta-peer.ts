/**
 * An in-memory Okta Management API peer, written from Okta's documented behaviour: SSWS auth,
 * users and their lifecycle rules, sessions, groups and memberships, rate-limit headers and
 * Okta's error bodies. Tests and benchmarks drive it through the controls on the returned object.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';
import { groupSearch, oktaPage } from './okta-query';
import { OktaRateLimiter, type OktaRateLimits, type OktaRateLimitStats, type RateLimitVerdict } from './okta-rate-limits';

export type OktaUserStatus =
  | 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';
export type OktaGroupType = 'OKTA_GROUP' | 'BUILT_IN' | 'APP_GROUP';

export interface OktaPeerOptions {
  token: string;
  /** Added before every API response (benchmarks use 150 ms). */
  latencyMs?: number;
  /** Default page size of paginated lists (users, users' groups, group listings and searches). */
  pageLimit?: number;
  /** Requests per minute before Okta's own 429 (default 10 000); with `rateLimits`, for requests no bucket matches. */
  rateLimitPerMinute?: number;
  /** Okta's per-endpoint buckets and concurrency limit (e.g. `oktaDocumentedRateLimits` from ./okta-rate-limits). */
  rateLimits?: OktaRateLimits;
}

export interface SeedOktaUser {
  login: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  status?: OktaUserStatus;
  /** Users with a password become ACTIVE on activation; others PROVISIONED (Okta's rule). */
  hasPassword?: boolean;
  sessions?: number;
  oauthTokens?: number;
  /** Group names the user is a member of. */
  groups?: string[];
}

export interface OktaUserView {
  id: string;
  login: string;
  email: string;
  status: OktaUserStatus;
  groups: string[];
  sessions: number;
  oauthTokens: number;
}

export type { PeerRequest } from './request-log';

export interface OktaPeer {
  url: string;
  close(): Promise<void>;
  seedUser(user: SeedOktaUser): { id: string; login: string };
  seedGroup(group: { name: string; type?: OktaGroupType; description?: string }): { id: string; name: string };
  user(login: string): OktaUserView | undefined;
  sessionsOf(login: string): number;
  /** Removes a user outright (as a deactivate-then-delete would), memberships included. */
  deleteUser(login: string): void;
  deleteGroup(name: string): void;
  /** Mutating requests (POST, PUT, PATCH, DELETE) in arrival order. */
  writes(): PeerRequest[];
  requests(): PeerRequest[];
  failNext(n: number, status: number): void;
  /** An outage: every API request answers `status` until `ms` from now. */
  failFor(ms: number, status: number): void;
  /** The user signs in (a session opens); refused, as Okta refuses it, unless the user is ACTIVE. */
  signIn(login: string): boolean;
  rateLimitNext(n: number, resetSeconds: number): void;
  /** Per bucket: requests counted, let through and refused (429); and the concurrency limit's refusals and peak. */
  rateLimitStats(): OktaRateLimitStats;
  /** Starts the counts over (the buckets' windows carry on), for a benchmark's next round. */
  resetRateLimitStats(): void;
  setLatency(ms: number): void;
}

interface StoredUser {
  id: string;
  status: OktaUserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastUpdated: string;
  profile: { login: string; email: string; firstName: string; lastName: string };
  hasPassword: boolean;
  sessions: number;
  oauthTokens: number;
}

interface StoredGroup {
  id: string;
  type: OktaGroupType;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  profile: { name: string; description?: string };
  members: Set<string>;
}

export async function startOktaPeer(options: OktaPeerOptions): Promise<OktaPeer> {
  const users = new Map<string, StoredUser>();
  const groups = new Map<string, StoredGroup>();
  const log: PeerRequest[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const pageLimit = options.pageLimit ?? 200;
  const limiter = new OktaRateLimiter(options.rateLimits, options.rateLimitPerMinute ?? 10_000);
  const failures: number[] = [];
  const outage = { until: 0, status: 503 };
  let baseUrl = '';

  const now = () => new Date().toISOString();
  const newId = (prefix: string) => prefix + randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 17);
  /** Lower-cased login -> user ID, so a directory of 100,000 users is seeded and searched quickly. */
  const logins = new Map<string, string>();
  const byLogin = (login: string) => {
    const id = logins.get(login.toLowerCase());
    return id === undefined ? undefined : users.get(id);
  };
  /** The users a plain GET /users lists (all but DEPROVISIONED), in order, with their positions; rebuilt after any change. */
  let listed: { users: StoredUser[]; positions: Map<string, number> } | undefined;
  const listedUsers = () => {
    if (!listed) {
      const shown = [...users.values()].filter((u) => u.status !== 'DEPROVISIONED');
      listed = { users: shown, positions: new Map(shown.map((u, i) => [u.id, i])) };
    }
    return listed;
  };
  const setStatus = (u: StoredUser, status: OktaUserStatus) => {
    listed = undefined;
    u.status = status;
    u.statusChanged = u.lastUpdated = now();
    if (status === 'ACTIVE' || status === 'PROVISIONED') u.activated = u.statusChanged;
  };
  const isMember = (g: StoredGroup, userId: string) => (g.type === 'BUILT_IN' ? users.has(userId) : g.members.has(userId));

  const userJson = (u: StoredUser) => ({
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: null,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.hasPassword ? u.created : null,
    type: { id: 'oty00000000000000000' },
    profile: { ...u.profile, mobilePhone: null, secondEmail: null },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${baseUrl}/api/v1/users/${u.id}` } },
  });
  const groupJson = (g: StoredGroup) => ({
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ['okta:user_group'],
    type: g.type,
    profile: g.profile,
    _links: { self: { href: `${baseUrl}/api/v1/groups/${g.id}` } },
  });

  const oktaError = (res: Response, status: number, code: string, summary: string, causes: string[] = []) => {
    res.status(status).json({
      errorCode: code,
      errorSummary: summary,
      errorLink: code,
      errorId: `oae${randomBytes(11).toString('base64url')}`,
      errorCauses: causes.map((errorSummary) => ({ errorSummary })),
    });
  };
  const notFound = (res: Response, what: string) => oktaError(res, 404, 'E0000007', `Not found: Resource not found: ${what}`);
  const wrongState = (res: Response, op: string, cause: string) => oktaError(res, 400, 'E0000001', `Api validation failed: ${op}`, [cause]);
  /** Okta's 429 body; the limiter has set the headers. */
  const refused = (res: Response, verdict: RateLimitVerdict & { ok: false }) => {
    (res.locals.entry as PeerRequest).retryAt = verdict.retryAtMs;
    oktaError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
  };
  const page = <T extends { id: string }>(req: Request, res: Response, items: T[]): T[] => oktaPage(req, res, items, pageLimit, new URL(baseUrl).host);

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use((req, res, next) => {
    const entry: PeerRequest = { method: req.method, path: req.path, query: req.originalUrl.split('?')[1] ?? '', body: req.body, at: Date.now(), status: 0 };
    log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    res.locals.entry = entry;
    // The concurrency limit counts a request from its arrival until its answer leaves.
    const admitted = limiter.admit(res);
    if (!admitted.ok) return refused(res, admitted);
    setTimeout(next, latencyMs);
  });
  app.use((req, res, next) => {
    const header = req.header('authorization') ?? '';
    if (header !== `SSWS ${options.token}`) return oktaError(res, 401, 'E0000011', 'Invalid token provided');
    const charged = limiter.charge(req.method, req.path, res);
    if (!charged.ok) return refused(res, charged);
    const failure = failures.shift() ?? (Date.now() < outage.until ? outage.status : undefined);
    if (failure !== undefined) return oktaError(res, failure, failure >= 500 ? 'E0000009' : 'E0000001', failure >= 500 ? 'Internal Server Error' : 'Api validation failed');
    next();
  });

  const api = express.Router();
  api.get('/users', (req, res) => {
    const filter = typeof req.query.filter === 'string' ? /^profile\.login eq "((?:[^"\\]|\\.)*)"$/.exec(req.query.filter) : null;
    if (typeof req.query.filter === 'string' && !filter) return oktaError(res, 400, 'E0000031', 'Invalid search criteria.');
    const login = filter?.[1]?.replace(/\\(.)/g, '$1');
    if (login === undefined) {
      const { users: shown, positions } = listedUsers();
      return res.json(oktaPage(req, res, shown, pageLimit, new URL(baseUrl).host, (id) => positions.get(id) ?? -1).map(userJson));
    }
    res.json(page(req, res, [...users.values()].filter((u) => u.profile.login === login)).map(userJson));
  });
  api.post('/users', (req, res) => {
    const profile = (req.body as { profile?: Partial<StoredUser['profile']> } | undefined)?.profile ?? {};
    const required = ['login', 'email', 'firstName', 'lastName'] as const;
    const blank = required.filter((k) => !profile[k]);
    if (blank.length > 0) return oktaError(res, 400, 'E0000001', `Api validation failed: ${blank[0]}`, blank.map((k) => `${k}: The field cannot be left blank`));
    if (byLogin(profile.login!)) return oktaError(res, 400, 'E0000001', 'Api validation failed: login', ['login: An object with this field already exists in the current organization']);
    const hasPassword = Boolean((req.body as { credentials?: { password?: unknown } }).credentials?.password);
    const activate = req.query.activate !== 'false';
    const user = storeUser({ login: profile.login!, email: profile.email!, firstName: profile.firstName!, lastName: profile.lastName!, hasPassword, status: 'STAGED' });
    if (activate) setStatus(user, hasPassword ? 'ACTIVE' : 'PROVISIONED');
    res.json(userJson(user));
  });
  // Okta resolves the path segment as an ID, a login, or a login's short name.
  api.get('/users/:idOrLogin', (req, res) => {
    const key = req.params.idOrLogin;
    const user = users.get(key) ?? byLogin(key) ?? [...users.values()].find((u) => u.profile.login.split('@')[0]?.toLowerCase() === key.toLowerCase());
    if (!user) return notFound(res, `${key} (User)`);
    res.json(userJson(user));
  });
  api.get('/users/:id/groups', (req, res) => {
    const user = users.get(req.params.id);
    if (!user) return notFound(res, `${req.params.id} (User)`);
    res.json(page(req, res, [...groups.values()].filter((g) => isMember(g, user.id))).map(groupJson));
  });
  api.post('/users/:id/lifecycle/:op', (req, res) => {
    const user = users.get(req.params.id);
    if (!user) return notFound(res, `${req.params.id} (User)`);
    switch (req.params.op) {
      case 'suspend':
        // Okta suspends only ACTIVE users.
        if (user.status !== 'ACTIVE') return wrongState(res, 'suspend', 'Cannot suspend a user that is not active');
        setStatus(user, 'SUSPENDED');
        return res.json({});
      case 'unsuspend':
        if (user.status !== 'SUSPENDED') return wrongState(res, 'unsuspend', 'Cannot unsuspend a user that is not suspended');
        setStatus(user, 'ACTIVE');
        return res.json({});
      case 'activate': {
        if (user.status !== 'STAGED' && user.status !== 'DEPROVISIONED') return oktaError(res, 403, 'E0000016', 'Activation failed because the user is already active');
        setStatus(user, user.hasPassword ? 'ACTIVE' : 'PROVISIONED');
        if (req.query.sendEmail !== 'false') return res.json({});
        const token = randomBytes(15).toString('base64url');
        return res.json({ activationUrl: `${baseUrl}/welcome/${token}`, activationToken: token });
      }
      case 'deactivate':
        if (user.status === 'DEPROVISIONED') return oktaError(res, 403, 'E0000038', "This operation is not allowed in the user's current status.");
        setStatus(user, 'DEPROVISIONED');
        user.sessions = 0;
        user.oauthTokens = 0;
        return res.json({});
      default:
        return notFound(res, req.path);
    }
  });
  api.delete('/users/:userId/sessions', (req, res) => {
    const user = users.get(req.params.userId);
    if (!user) return notFound(res, `${req.params.userId} (User)`);
    user.sessions = 0;
    if (req.query.oauthTokens === 'true') user.oauthTokens = 0;
    res.status(204).end();
  });
  api.get('/groups', (req, res) => {
    const all = [...groups.values()];
    if (typeof req.query.search === 'string') {
      const predicate = groupSearch(req.query.search);
      if (!predicate) return oktaError(res, 400, 'E0000031', 'Invalid search criteria.');
      return res.json(page(req, res, all.filter(predicate)).map(groupJson));
    }
    if (typeof req.query.q === 'string') {
      // Okta: a name-prefix query, capped at 300 results, and it cannot be paged.
      const q = req.query.q.toLowerCase();
      const limit = Math.min(Number(req.query.limit ?? 300) || 300, 300);
      return res.json(all.filter((g) => g.profile.name.toLowerCase().startsWith(q)).slice(0, limit).map(groupJson));
    }
    res.json(page(req, res, all).map(groupJson));
  });
  const membership = (req: Request<{ groupId: string; userId: string }>, res: Response, add: boolean) => {
    const group = groups.get(req.params.groupId);
    if (!group) return notFound(res, `${req.params.groupId} (UserGroup)`);
    if (!users.has(req.params.userId)) return notFound(res, `${req.params.userId} (User)`);
    if (group.type !== 'OKTA_GROUP') return oktaError(res, 403, 'E0000006', 'You do not have permission to perform the requested action');
    if (add) group.members.add(req.params.userId);
    else group.members.delete(req.params.userId);
    group.lastMembershipUpdated = now();
    res.status(204).end();
  };
  api.put('/groups/:groupId/users/:userId', (req, res) => membership(req, res, true));
  api.delete('/groups/:groupId/users/:userId', (req, res) => membership(req, res, false));

  app.use('/api/v1', api);
  app.use((req, res) => notFound(res, req.path));
  app.use((err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') return oktaError(res, 400, 'E0000003', 'The request body was not well-formed.');
    oktaError(res, 500, 'E0000009', 'Internal Server Error');
  });

  function storeUser(seed: SeedOktaUser & { email: string; firstName: string; lastName: string }): StoredUser {
    const created = now();
    const status = seed.status ?? 'ACTIVE';
    const user: StoredUser = {
      id: newId('00u'),
      status,
      created,
      activated: status === 'STAGED' ? null : created,
      statusChanged: created,
      lastUpdated: created,
      profile: { login: seed.login, email: seed.email, firstName: seed.firstName, lastName: seed.lastName },
      hasPassword: seed.hasPassword ?? true,
      sessions: seed.sessions ?? 0,
      oauthTokens: seed.oauthTokens ?? 0,
    };
    users.set(user.id, user);
    listed = undefined;
    logins.set(user.profile.login.toLowerCase(), user.id);
    return user;
  }
  function seedGroup(group: { name: string; type?: OktaGroupType; description?: string }) {
    const created = now();
    const stored: StoredGroup = {
      id: newId('00g'),
      type: group.type ?? 'OKTA_GROUP',
      created,
      lastUpdated: created,
      lastMembershipUpdated: created,
      profile: group.description === undefined ? { name: group.name } : { name: group.name, description: group.description },
      members: new Set(),
    };
    groups.set(stored.id, stored);
    return { id: stored.id, name: group.name };
  }
  const groupByName = (name: string) => [...groups.values()].find((g) => g.profile.name === name);
  seedGroup({ name: 'Everyone', type: 'BUILT_IN', description: 'All users in your organization' });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
    seedUser(seed) {
      if (byLogin(seed.login)) throw new Error(`okta peer: user ${seed.login} already exists`);
      const [first = 'Test', last = 'User'] = seed.login.split('@')[0]?.split('.') ?? [];
      const user = storeUser({ ...seed, email: seed.email ?? seed.login, firstName: seed.firstName ?? first, lastName: seed.lastName ?? last });
      for (const name of seed.groups ?? []) (groupByName(name) ?? groups.get(seedGroup({ name }).id)!).members.add(user.id);
      return { id: user.id, login: user.profile.login };
    },
    seedGroup,
    user(login) {
      const u = byLogin(login);
      if (!u) return undefined;
      const names = [...groups.values()].filter((g) => isMember(g, u.id)).map((g) => g.profile.name).sort();
      return { id: u.id, login: u.profile.login, email: u.profile.email, status: u.status, groups: names, sessions: u.sessions, oauthTokens: u.oauthTokens };
    },
    sessionsOf: (login) => byLogin(login)?.sessions ?? 0,
    deleteUser(login) {
      const u = byLogin(login);
      if (!u) throw new Error(`okta peer: no user ${login}`);
      users.delete(u.id);
      listed = undefined;
      logins.delete(u.profile.login.toLowerCase());
      for (const g of groups.values()) g.members.delete(u.id);
    },
    deleteGroup(name) {
      const g = groupByName(name);
      if (!g) throw new Error(`okta peer: no group ${name}`);
      groups.delete(g.id);
    },
    writes: () => log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => ({ ...r })),
    requests: () => log.map((r) => ({ ...r })),
    failNext(n, status) {
      for (let i = 0; i < n; i++) failures.push(status);
    },
    failFor(ms, status) {
      Object.assign(outage, { until: Date.now() + ms, status });
    },
    signIn(login) {
      const u = byLogin(login);
      if (!u || u.status !== 'ACTIVE') return false;
      u.sessions += 1;
      return true;
    },
    rateLimitNext: (n, resetSeconds) => limiter.injectNext(n, resetSeconds),
    rateLimitStats: () => limiter.stats(),
    resetRateLimitStats: () => limiter.resetStats(),
    setLatency(ms) {
      latencyMs = ms;
    },
  };
}

/** Alias so callers can `import { start } from './okta-peer'`. */
export const start = startOktaPeer;
