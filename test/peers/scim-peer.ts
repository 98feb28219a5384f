/**
 * A real SCIM 2.0 service provider for tests: scimmy parses filters, patches and messages and
 * scimmy-routers serves RFC 7644 endpoints; this file only adds in-memory storage, Bearer auth
 * and test controls (seeding, request log, latency, failure and 429 injection). With `profile`
 * it speaks a real server's dialect in front of scimmy, refusing what that server refuses
 * (scim-aws-dialect.ts, scim-entra-dialect.ts).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';
import { awsDialect } from './scim-aws-dialect';
import type { DialectStore } from './scim-dialect-kit';
import { plainUserListing, type ListableStore } from './scim-listing';
import { entraDialect } from './scim-entra-dialect';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export interface ScimPeerOptions {
  token: string;
  /** Added before every response. */
  latencyMs?: number;
  /** false: refuse `members` filters on /Groups (400 invalidFilter), as some providers do. */
  memberFilter?: boolean;
  /** Which server to be (default rfc7644: scimmy as it is). */
  profile?: 'rfc7644' | 'aws-identity-center' | 'entra-id';
  /** aws-identity-center: accept `members.value eq` on /Groups, as the guide's current edition does. */
  membersValueFilter?: boolean;
}

export interface ScimUserView {
  id: string;
  userName: string;
  active: boolean;
  email?: string;
  /** displayNames of the groups the user is a member of. */
  groups: string[];
}

export type { PeerRequest } from './request-log';

export interface ScimPeer {
  /** SCIM base URL, including its version path (/scim/v2, or /rp/scim for entra-id). */
  url: string;
  close(): Promise<void>;
  /** Removes a user outright, memberships included. */
  deleteUser(userName: string): void;
  deleteGroup(displayName: string): void;
  seedUser(user: { userName: string; email?: string; givenName?: string; familyName?: string; active?: boolean; groups?: string[] }): { id: string; userName: string };
  seedGroup(group: { displayName: string; members?: string[] }): { id: string; displayName: string };
  user(userName: string): ScimUserView | undefined;
  /** Mutating requests (POST, PUT, PATCH, DELETE) in arrival order. */
  writes(): PeerRequest[];
  requests(): PeerRequest[];
  failNext(n: number, status: number): void;
  /** An outage: every request answers `status` until `ms` from now. */
  failFor(ms: number, status: number): void;
  /**
   * Holds the next request with this method whose path contains `pathPrefix` (a change in
   * flight at the server) until released; `reached()` tells whether it has arrived.
   */
  holdNext(method: string, pathPrefix: string): { reached(): boolean; release(): void };
  /** The next n requests get 429 with Retry-After as delay-seconds or as an HTTP-date. */
  rateLimitNext(n: number, retryAfterSeconds: number, format?: 'seconds' | 'http-date'): void;
  setLatency(ms: number): void;
}

export interface StoredUser {
  id: string;
  userName: string;
  active: boolean;
  name?: Record<string, string>;
  displayName?: string;
  emails: { value: string; type?: string; primary?: boolean }[];
  created: string;
  lastModified: string;
}

interface StoredGroup {
  id: string;
  displayName: string;
  members: Set<string>;
  created: string;
  lastModified: string;
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Per-peer storage; scimmy's resource registry is process-wide, so each request carries its store as context. */
class ScimStore implements DialectStore, ListableStore {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, StoredGroup>();
  /** Lower-cased userName -> ID, and the users in order, so a directory of 100,000 is seeded and paged quickly. */
  private readonly names = new Map<string, string>();
  private ordered: StoredUser[] | undefined;
  constructor(readonly memberFilter: boolean) {}

  putUser(u: StoredUser): void {
    const before = this.users.get(u.id);
    if (before) this.names.delete(before.userName.toLowerCase());
    this.users.set(u.id, u);
    this.names.set(u.userName.toLowerCase(), u.id);
    this.ordered = undefined;
  }

  removeUser(id: string): boolean {
    const u = this.users.get(id);
    if (!u) return false;
    this.users.delete(id);
    this.names.delete(u.userName.toLowerCase());
    for (const g of this.groups.values()) g.members.delete(id);
    this.ordered = undefined;
    return true;
  }

  userNamed(userName: string): StoredUser | undefined {
    const id = this.names.get(userName.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  userList(): StoredUser[] {
    this.ordered ??= [...this.users.values()];
    return this.ordered;
  }

  hasUser(id: string): boolean {
    return this.users.has(id);
  }

  hasGroup(id: string): boolean {
    return this.groups.has(id);
  }

  isMember(groupId: string, userId: string): boolean {
    return this.groups.get(groupId)?.members.has(userId) ?? false;
  }

  userOut(u: StoredUser): Record<string, unknown> {
    const groups = [...this.groups.values()]
      .filter((g) => g.members.has(u.id))
      .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }));
    const { created, lastModified, ...rest } = u;
    return { ...rest, groups, meta: { created, lastModified } };
  }

  groupOut(g: StoredGroup): Record<string, unknown> {
    const members = [...g.members].map((id) => ({ value: id, display: this.users.get(id)?.userName, type: 'User' }));
    return { id: g.id, displayName: g.displayName, members, meta: { created: g.created, lastModified: g.lastModified } };
  }
}

const scimError = (status: number, scimType: string, detail: string) => new SCIMMY.Types.Error(status, scimType, detail);

function storeOf(ctx: unknown): ScimStore {
  if (ctx instanceof ScimStore) return ctx;
  throw scimError(500, '', 'no store in request context');
}

/** A plain copy of a scimmy schema instance (drops its getters and proxies). */
function plain(instance: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
}

/** What the handlers read from scimmy's resource instance. */
interface ResourceRef {
  id?: string;
  filter?: SCIMMY.Types.Filter;
}
type Egress = (resource: ResourceRef, ctx: unknown) => Record<string, unknown> | Record<string, unknown>[];
type Ingress = (resource: ResourceRef, instance: unknown, ctx: unknown) => Record<string, unknown>;
type Degress = (resource: ResourceRef, ctx: unknown) => void;

const userEgress: Egress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (resource.id) {
    const user = store.users.get(resource.id);
    if (!user) throw scimError(404, '', `Resource ${resource.id} not found`);
    return store.userOut(user);
  }
  const all = store.userList().map((u) => store.userOut(u));
  return resource.filter ? resource.filter.match(all) : all;
};

const userIngress: Ingress = (resource, instance, ctx) => {
  const store = storeOf(ctx);
  const data = plain(instance);
  const userName = String(data.userName ?? '');
  const named = store.userNamed(userName);
  const clash = named && named.id !== resource.id ? named : undefined;
  if (clash) throw scimError(409, 'uniqueness', `userName ${userName} is already taken`);
  const existing = resource.id ? store.users.get(resource.id) : undefined;
  if (resource.id && !existing) throw scimError(404, '', `Resource ${resource.id} not found`);
  const now = new Date().toISOString();
  const user: StoredUser = {
    id: existing?.id ?? randomUUID(),
    userName,
    active: data.active === undefined ? true : data.active === true,
    name: data.name as Record<string, string> | undefined,
    displayName: data.displayName as string | undefined,
    emails: (data.emails as StoredUser['emails'] | undefined) ?? [],
    created: existing?.created ?? now,
    lastModified: now,
  };
  store.putUser(user);
  return store.userOut(user);
};

const userDegress: Degress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (!resource.id || !store.removeUser(resource.id)) throw scimError(404, '', `Resource ${resource.id} not found`);
};

const groupEgress: Egress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (resource.id) {
    const group = store.groups.get(resource.id);
    if (!group) throw scimError(404, '', `Resource ${resource.id} not found`);
    return store.groupOut(group);
  }
  if (resource.filter && !store.memberFilter && /members/i.test(resource.filter.expression)) {
    throw scimError(400, 'invalidFilter', 'Filtering on members is not supported');
  }
  const all = [...store.groups.values()].map((g) => store.groupOut(g));
  return resource.filter ? resource.filter.match(all) : all;
};

const groupIngress: Ingress = (resource, instance, ctx) => {
  const store = storeOf(ctx);
  const data = plain(instance);
  const displayName = String(data.displayName ?? '');
  const clash = [...store.groups.values()].find((g) => g.displayName.toLowerCase() === displayName.toLowerCase() && g.id !== resource.id);
  if (clash) throw scimError(409, 'uniqueness', `displayName ${displayName} is already taken`);
  const existing = resource.id ? store.groups.get(resource.id) : undefined;
  if (resource.id && !existing) throw scimError(404, '', `Resource ${resource.id} not found`);
  // Membership is a set: adding a member twice leaves one membership.
  const members = new Set(((data.members as { value: string }[] | undefined) ?? []).map((m) => m.value));
  const unknown = [...members].find((id) => !store.users.has(id));
  if (unknown) throw scimError(400, 'invalidValue', `member ${unknown} is not a known User`);
  const now = new Date().toISOString();
  const group: StoredGroup = { id: existing?.id ?? randomUUID(), displayName, members, created: existing?.created ?? now, lastModified: now };
  store.groups.set(group.id, group);
  return store.groupOut(group);
};

const groupDegress: Degress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (!resource.id || !store.groups.delete(resource.id)) throw scimError(404, '', `Resource ${resource.id} not found`);
};

let declared = false;
/** scimmy keeps one process-wide registry; declare once and route each request to its peer's store. */
function declareResources(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User, { egress: userEgress, ingress: userIngress, degress: userDegress });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group, { egress: groupEgress, ingress: groupIngress, degress: groupDegress });
}

export async function startScimPeer(options: ScimPeerOptions): Promise<ScimPeer> {
  declareResources();
  const store = new ScimStore(options.memberFilter ?? true);
  const log: PeerRequest[] = [];
  const failures: number[] = [];
  const outage = { until: 0, status: 503 };
  const holds: { method: string; prefix: string; parked?: () => void; released: boolean }[] = [];
  const rateLimits: { seconds: number; format: 'seconds' | 'http-date' }[] = [];
  let latencyMs = options.latencyMs ?? 0;

  const fail = (res: Response, status: number, detail: string) =>
    res.status(status).type('application/scim+json').send(JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(status), detail }));

  const app = express();
  app.disable('x-powered-by');
  // scimmy pages only when startIndex and count are numbers; express 5 re-parses req.query on every
  // read, so the cast scimmy-routers makes is lost unless the parser itself does it.
  app.set('query parser', (qs: string) => {
    const query: Record<string, string | number> = Object.fromEntries(new URLSearchParams(qs));
    for (const key of ['startIndex', 'count']) if (typeof query[key] === 'string' && /^\d+$/.test(query[key])) query[key] = Number(query[key]);
    return query;
  });
  app.use((req, res, next) => {
    const entry: PeerRequest = { method: req.method, path: req.path, query: req.originalUrl.split('?')[1] ?? '', body: undefined, at: Date.now(), status: 0 };
    log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.body = (req as Request & { body?: unknown }).body;
    });
    const limited = rateLimits.shift();
    if (limited) {
      const retryAt = entry.at + limited.seconds * 1000;
      entry.retryAt = limited.format === 'seconds' ? retryAt : Math.ceil(retryAt / 1000) * 1000;
      const header = limited.format === 'seconds' ? String(limited.seconds) : new Date(entry.retryAt).toUTCString();
      res.set('Retry-After', header);
      return setTimeout(() => fail(res, 429, 'Too many requests'), latencyMs);
    }
    const failure = failures.shift() ?? (Date.now() < outage.until ? outage.status : undefined);
    if (failure !== undefined) return setTimeout(() => fail(res, failure, 'Injected failure'), latencyMs);
    const hold = holds.find((h) => !h.parked && !h.released && h.method === req.method && req.path.includes(h.prefix));
    if (hold) {
      hold.parked = () => setTimeout(next, latencyMs);
      return;
    }
    setTimeout(next, latencyMs);
  });
  const scim = new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (req.header('authorization') !== `Bearer ${options.token}`) throw new Error('Invalid or missing bearer token');
      return 'jml-engine';
    },
    context: () => store,
  });
  const base = options.profile === 'entra-id' ? '/rp/scim' : '/scim/v2';
  const json = express.json({ type: ['application/scim+json', 'application/json'] });
  // A dialect answers only once the caller has authenticated, as the real servers do.
  const bearer = (req: Request, res: Response, next: NextFunction) =>
    req.header('authorization') === `Bearer ${options.token}` ? next() : fail(res, 401, 'Authorization header is invalid or missing');
  if (options.profile && options.profile !== 'rfc7644') app.use(base, bearer);
  if (options.profile === 'aws-identity-center') app.use(base, json, awsDialect(store, { membersValueFilter: options.membersValueFilter }));
  if (options.profile === 'entra-id') app.use(base, json, entraDialect(store));
  app.use(base, plainUserListing(store, options.token));
  app.use(base, scim as unknown as express.Router);
  app.use((_err: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (!res.headersSent) fail(res, 500, 'Internal error');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`;
  const byUserName = (userName: string) => store.userNamed(userName);
  const now = () => new Date().toISOString();

  const seedGroup = (group: { displayName: string; members?: string[] }) => {
    const members = new Set((group.members ?? []).map((userName) => {
      const user = byUserName(userName);
      if (!user) throw new Error(`scim peer: unknown member ${userName}`);
      return user.id;
    }));
    const stored: StoredGroup = { id: randomUUID(), displayName: group.displayName, members, created: now(), lastModified: now() };
    store.groups.set(stored.id, stored);
    return { id: stored.id, displayName: stored.displayName };
  };

  return {
    url,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
    seedUser(seed) {
      if (byUserName(seed.userName)) throw new Error(`scim peer: user ${seed.userName} already exists`);
      const email = seed.email ?? seed.userName;
      const user: StoredUser = {
        id: randomUUID(),
        userName: seed.userName,
        active: seed.active ?? true,
        name: { givenName: seed.givenName ?? 'Test', familyName: seed.familyName ?? 'User' },
        emails: [{ value: email, type: 'work', primary: true }],
        created: now(),
        lastModified: now(),
      };
      store.putUser(user);
      for (const name of seed.groups ?? []) {
        const group = [...store.groups.values()].find((g) => g.displayName === name) ?? store.groups.get(seedGroup({ displayName: name }).id)!;
        group.members.add(user.id);
      }
      return { id: user.id, userName: user.userName };
    },
    seedGroup,
    deleteUser(userName) {
      const u = byUserName(userName);
      if (!u) throw new Error(`scim peer: no user ${userName}`);
      store.removeUser(u.id);
    },
    deleteGroup(displayName) {
      const g = [...store.groups.values()].find((x) => x.displayName === displayName);
      if (!g) throw new Error(`scim peer: no group ${displayName}`);
      store.groups.delete(g.id);
    },
    user(userName) {
      const u = byUserName(userName);
      if (!u) return undefined;
      const groups = [...store.groups.values()].filter((g) => g.members.has(u.id)).map((g) => g.displayName).sort();
      const email = u.emails.find((e) => e.primary)?.value ?? u.emails[0]?.value;
      return { id: u.id, userName: u.userName, active: u.active, groups, ...(email ? { email } : {}) };
    },
    writes: () => log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').map((r) => ({ ...r })),
    requests: () => log.map((r) => ({ ...r })),
    failNext(n, status) {
      for (let i = 0; i < n; i++) failures.push(status);
    },
    failFor(ms, status) {
      Object.assign(outage, { until: Date.now() + ms, status });
    },
    holdNext(method, pathPrefix) {
      const hold: (typeof holds)[number] = { method, prefix: pathPrefix, released: false };
      holds.push(hold);
      return {
        reached: () => hold.parked !== undefined,
        release() {
          hold.released = true;
          hold.parked?.();
        },
      };
    },
    rateLimitNext(n, seconds, format = 'seconds') {
      for (let i = 0; i < n; i++) rateLimits.push({ seconds, format });
    },
    setLatency(ms) {
      latencyMs = ms;
    },
  };
}

/** Alias so callers can `import { start } from './scim-peer'`. */
export const start = startScimPeer;
