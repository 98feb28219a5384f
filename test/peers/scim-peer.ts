/**
 * A real SCIM 2.0 service provider for tests: scimmy parses filters, patches and messages and
 * scimmy-routers serves RFC 7644 endpoints; this file only adds in-memory storage, Bearer auth
 * and test controls (seeding, request log, latency, failure and 429 injection). With `profile`
 * it speaks a real server's dialect in front of scimmy, refusing what that server refuses
 * (scim-aws-dialect.ts, scim-entra-dialect.ts).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';
import { awsDialect } from './scim-aws-dialect';
import { plainUserListing } from './scim-listing';
import { entraDialect } from './scim-entra-dialect';
import { ERROR_SCHEMA, scimQueryParser, scimRouter, seedGroup, seedUser, ScimStore } from '../../src/sandbox/scim-directory';

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
export type { StoredUser } from '../../src/sandbox/scim-directory';

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

export async function startScimPeer(options: ScimPeerOptions): Promise<ScimPeer> {
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
  app.set('query parser', scimQueryParser);
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
  const base = options.profile === 'entra-id' ? '/rp/scim' : '/scim/v2';
  const json = express.json({ type: ['application/scim+json', 'application/json'] });
  // A dialect answers only once the caller has authenticated, as the real servers do.
  const bearer = (req: Request, res: Response, next: NextFunction) =>
    req.header('authorization') === `Bearer ${options.token}` ? next() : fail(res, 401, 'Authorization header is invalid or missing');
  if (options.profile && options.profile !== 'rfc7644') app.use(base, bearer);
  if (options.profile === 'aws-identity-center') app.use(base, json, awsDialect(store, { membersValueFilter: options.membersValueFilter }));
  if (options.profile === 'entra-id') app.use(base, json, entraDialect(store));
  app.use(base, plainUserListing(store, options.token));
  app.use(base, scimRouter(store, options.token));
  app.use((_err: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (!res.headersSent) fail(res, 500, 'Internal error');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`;
  const byUserName = (userName: string) => store.userNamed(userName);
  return {
    url,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
    seedUser: (seed) => seedUser(store, seed),
    seedGroup: (group) => seedGroup(store, group),
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
