/**
 * A local Slack Enterprise Grid peer for the slack-admin connector, written from Slack's
 * documented wire format: Web API methods at POST (or GET) /api/<method> with JSON or form bodies,
 * the token as `Authorization: Bearer` (or a `token` parameter), `{ok:false, error}` with HTTP 200
 * for API errors, the token's scopes in `x-oauth-scopes`, and HTTP 429 with Retry-After when rate
 * limited; Slack's SCIM API at /scim/v2 with its own error bodies. The org lives in memory
 * (./slack-admin-org.ts); tests drive it through the controls returned.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';
import { GridOrg, peerAdminId, type OrgUser } from './slack-admin-org';
import { scimFailure, scimUsers, type ScimAnswer } from './slack-admin-scim';
import { ApiError, webMethods, type Args, type BulkJobs } from './slack-admin-web';

export { peerAdminId, peerEnterpriseId, peerTeamId } from './slack-admin-org';

export const ALL_SCOPES = ['admin', 'admin.users:read', 'admin.users:write', 'usergroups:read', 'usergroups:write', 'users:read', 'users:read.email'];

export interface SlackAdminPeerOptions {
  /** Each token the peer accepts, with the scopes it was granted. */
  tokens: Record<string, string[]>;
  /** How long a resetBulk job takes to end the sessions (default 100 ms). */
  bulkDelayMs?: number;
  /** Added before every answer (benchmarks use 150 ms). */
  latencyMs?: number;
}

export interface SlackAdminPeer {
  /** Web API base (…/api). */
  apiUrl: string;
  /** SCIM base (…/scim/v2). */
  scimUrl: string;
  org: GridOrg;
  seedUser(seed: { email: string; active?: boolean; sessions?: number; groups?: string[] }): OrgUser;
  seedGroup(handle: string): void;
  user(email: string): OrgUser | undefined;
  groupsOf(email: string): string[];
  /** The next request (Web API or SCIM) answers 429 with Retry-After: seconds. */
  rateLimitNext(seconds: number): void;
  /** The next request answers this HTTP status. */
  failNext(status: number): void;
  /** The next call of `method` answers `{ok:false, error}` (HTTP 200). */
  failMethodNext(method: string, error: string, extra?: Record<string, unknown>): void;
  /** resetBulk jobs enqueued while stalled do not run; released, they run after the usual delay. */
  stallBulk(stalled: boolean): void;
  requests(): PeerRequest[];
  writes(): PeerRequest[];
  setLatency(ms: number): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<{ raw: string; parsed: Args | undefined; json: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (raw === '') return { raw, parsed: {}, json: false };
  if (type.startsWith('application/json') || type.startsWith('application/scim+json')) {
    try {
      return { raw, parsed: JSON.parse(raw) as Args, json: true };
    } catch {
      return { raw, parsed: undefined, json: true };
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return { raw, parsed: Object.fromEntries(new URLSearchParams(raw)), json: false };
  return { raw, parsed: undefined, json: false };
}

export async function startSlackAdminPeer(options: SlackAdminPeerOptions): Promise<SlackAdminPeer> {
  const org = new GridOrg();
  const jobs: BulkJobs = { delayMs: options.bulkDelayMs ?? 100, stalled: false, parked: [] };
  const methods = webMethods(org, jobs);
  const log: PeerRequest[] = [];
  const limits: number[] = [];
  const failures: number[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const methodFailures: { method: string; error: string; extra: Record<string, unknown> }[] = [];

  const send = (res: ServerResponse, entry: PeerRequest, status: number, body: unknown, headers: Record<string, string> = {}) => {
    entry.status = status;
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const { parsed } = await readBody(req);
    const entry: PeerRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), body: parsed, at: Date.now(), status: 0 };
    log.push(entry);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const scim = url.pathname.startsWith('/scim/v2/');
    const limited = limits.shift();
    if (limited !== undefined) {
      entry.retryAt = entry.at + limited * 1000;
      return send(res, entry, 429, scim ? scimFailure(429, 'rate_limited').body : { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited) });
    }
    const failure = failures.shift();
    if (failure !== undefined) return send(res, entry, failure, scim ? scimFailure(failure, 'service_unavailable').body : { ok: false, error: 'service_unavailable' });
    if (scim) return serveScim(req, res, entry, url, parsed);
    if (url.pathname.startsWith('/api/')) return serveWeb(req, res, entry, url, parsed);
    send(res, entry, 404, undefined);
  };

  const serveScim = (req: IncomingMessage, res: ServerResponse, entry: PeerRequest, url: URL, body: Args | undefined) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const scopes = token === undefined ? undefined : options.tokens[token];
    let answer: ScimAnswer;
    if (!scopes) answer = scimFailure(401, 'invalid_authentication');
    else if (!scopes.includes('admin')) answer = scimFailure(403, 'missing_scope');
    else if (body === undefined) answer = scimFailure(400, 'invalid_syntax');
    else {
      const parts = url.pathname.slice('/scim/v2/'.length).split('/').filter(Boolean);
      answer = parts[0] === 'Users' && parts.length <= 2 ? scimUsers(org, req.method ?? 'GET', parts[1] ? decodeURIComponent(parts[1]) : undefined, url.searchParams, body) : scimFailure(404, 'resource_not_found');
    }
    send(res, entry, answer.status, answer.body);
  };

  const serveWeb = (req: IncomingMessage, res: ServerResponse, entry: PeerRequest, url: URL, body: Args | undefined) => {
    const name = url.pathname.slice('/api/'.length);
    const args: Args = { ...Object.fromEntries(url.searchParams), ...(body ?? {}) };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    const scopes = token === undefined ? undefined : options.tokens[token];
    const headers: Record<string, string> = scopes ? { 'x-oauth-scopes': scopes.join(',') } : {};
    const fail = (error: string, extra: Record<string, unknown> = {}) => send(res, entry, 200, { ok: false, error, ...extra }, headers);
    const method = methods[name];
    if (!method) return fail('unknown_method', { req_method: name });
    if (method.scope) headers['x-accepted-oauth-scopes'] = method.scope;
    if (body === undefined) return fail('invalid_form_data');
    if (token === undefined) return fail('not_authed');
    if (!scopes) return fail('invalid_auth');
    if (method.scope && !scopes.includes(method.scope)) return fail('missing_scope', { needed: method.scope, provided: scopes.join(',') });
    const injected = methodFailures.findIndex((f) => f.method === name);
    if (injected >= 0) {
      const [f] = methodFailures.splice(injected, 1);
      return fail(f!.error, f!.extra);
    }
    try {
      send(res, entry, 200, { ok: true, ...method.run(args) }, headers);
    } catch (err) {
      if (err instanceof ApiError) return fail(err.error, err.extra);
      send(res, entry, 500, { ok: false, error: 'internal_error' }, headers);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const writeMethods = new Set(Object.entries(methods).filter(([, m]) => m.write).map(([n]) => `/api/${n}`));

  const ensureGroup = (handle: string) => org.groupByHandle(handle) ?? org.addGroup(handle, [peerAdminId]);

  return {
    setLatency: (ms) => {
      latencyMs = ms;
    },
    apiUrl: `${base}/api`,
    scimUrl: `${base}/scim/v2`,
    org,
    seedUser(seed) {
      if (org.byEmail(seed.email)) throw new Error('slack admin peer: user already exists');
      const user = org.addUser(seed);
      for (const handle of seed.groups ?? []) ensureGroup(handle).users.push(user.id);
      return user;
    },
    seedGroup: (handle) => void ensureGroup(handle),
    user: (email) => org.byEmail(email),
    groupsOf(email) {
      const user = org.byEmail(email);
      if (!user) return [];
      return [...org.groups.values()].filter((g) => g.users.includes(user.id)).map((g) => g.handle).sort();
    },
    rateLimitNext: (seconds) => void limits.push(seconds),
    failNext: (status) => void failures.push(status),
    failMethodNext: (method, error, extra = {}) => void methodFailures.push({ method, error, extra }),
    stallBulk(stalled) {
      jobs.stalled = stalled;
      if (!stalled) for (const job of jobs.parked.splice(0)) setTimeout(job, jobs.delayMs).unref();
    },
    requests: () => log.map((r) => ({ ...r })),
    writes: () => log.filter((r) => (r.path.startsWith('/scim/') ? r.method !== 'GET' : writeMethods.has(r.path))).map((r) => ({ ...r })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
