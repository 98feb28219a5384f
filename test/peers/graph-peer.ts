/**
 * A local Microsoft Graph v1.0 with its token endpoint, written from Microsoft's documentation:
 *  - the identity platform's client-credentials grant (POST /{tenant}/oauth2/v2.0/token, a form
 *    body; AAD error bodies `{error, error_description, error_codes, ...}`, 401 invalid_client for a
 *    wrong secret), issuing JWT-shaped access tokens (aud https://graph.microsoft.com, tid, roles);
 *  - Graph under /v1.0, checking each token's signature, lifetime, audience and tenant (401
 *    InvalidAuthenticationToken) and its roles per call (403 Authorization_RequestDenied), with the
 *    tenant of ./graph-tenant.ts behind it;
 *  - JSON batching (POST /v1.0/$batch): up to 20 requests with unique ids, each answered on its own
 *    (answers in another order than asked), an inner request throttled on its own with its own
 *    Retry-After on demand;
 *  - 429 and 503 with Retry-After in seconds.
 */
import { closeServer } from './close-server';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';
import { graphError, type GraphAnswer } from './graph-odata';
import { GraphTenant, type StoredGroup, type StoredUser } from './graph-tenant';

export interface GraphApp {
  clientId: string;
  secret: string;
  /** Application permissions consented for the app (the token's roles claim). */
  roles: string[];
}

export interface GraphPeerOptions {
  tenantId: string;
  apps: GraphApp[];
  /** Server-side page size of every collection (Graph's is 100 by default, up to $top). */
  pageLimit?: number;
  tokenLifetimeSeconds?: number;
  /** Added before every Graph answer (benchmarks use 150 ms). */
  latencyMs?: number;
}

export interface BatchInnerRequest {
  /** Which $batch call (1, 2, ...). */
  batch: number;
  id: string;
  method: string;
  url: string;
  status: number;
  at: number;
  retryAt?: number;
}

export interface SeedGraphUser {
  userPrincipalName: string;
  mail?: string | null;
  accountEnabled?: boolean;
  groups?: string[];
  sessions?: number;
  /** Directory roles held (listed by memberOf beside groups). */
  directoryRoles?: string[];
}

export interface GraphPeer {
  /** The peer's root: the authority for the token endpoint. */
  url: string;
  /** Graph's base, {url}/v1.0 */
  graphUrl: string;
  tenantId: string;
  tenant: GraphTenant;
  close(): Promise<void>;
  setLatency(ms: number): void;
  seedUser(seed: SeedGraphUser): StoredUser;
  seedGroup(seed: { displayName: string; dynamic?: boolean }): StoredGroup;
  user(upn: string): (StoredUser & { groups: string[] }) | undefined;
  deleteUser(upn: string): void;
  deleteGroup(id: string): void;
  /** Every HTTP request (token endpoint included) in arrival order. */
  requests(): PeerRequest[];
  /** Mutating Graph requests ($batch included), not the token endpoint. */
  writes(): PeerRequest[];
  /** Each request inside each $batch, as served. */
  batchRequests(): BatchInnerRequest[];
  tokenRequests(): number;
  /** The next `n` Graph requests answer `status` (with Retry-After when `retryAfterSeconds` is given). */
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  /** The next `n` Graph requests answer 429 with Retry-After `seconds`. */
  rateLimitNext(n: number, seconds: number): void;
  /** The next `n` requests inside a $batch answer 429 with their own Retry-After `seconds`. */
  throttleInnerNext(n: number, seconds: number): void;
  /** Every access token issued so far stops being accepted (as if expired or revoked). */
  expireTokens(): void;
}

const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export async function startGraphPeer(options: GraphPeerOptions): Promise<GraphPeer> {
  const key = randomBytes(32);
  const log: PeerRequest[] = [];
  const inner: BatchInnerRequest[] = [];
  const failures: { status: number; retryAfter?: number }[] = [];
  const innerThrottles: number[] = [];
  let batches = 0;
  let tokensIssued = 0;
  const issued = new Set<string>();
  const revoked = new Set<string>();
  let baseUrl = '';
  const tenant = new GraphTenant({ baseUrl: () => baseUrl, pageLimit: options.pageLimit ?? 100 });

  const sign = (claims: Record<string, unknown>) => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ typ: 'JWT', alg: 'HS256', kid: 'peer' })}.${part(claims)}`;
    return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
  };
  /** The token's roles, or why Graph refuses it. */
  const verify = (header: string | undefined): { roles: string[] } | { refused: string } => {
    if (!header?.startsWith('Bearer ') || header.length === 'Bearer '.length) return { refused: 'Access token is empty.' };
    const [h, p, s] = header.slice('Bearer '.length).split('.');
    if (!h || !p || !s) return { refused: 'Access token validation failure. Invalid token.' };
    const expected = createHmac('sha256', key).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'Access token validation failure. Invalid signature.' };
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { aud: string; tid: string; exp: number; uti: string; roles?: string[] };
    if (claims.aud !== GRAPH_AUDIENCE) return { refused: 'Access token validation failure. Invalid audience.' };
    if (claims.tid !== options.tenantId) return { refused: 'Access token validation failure. Invalid issuer.' };
    if (claims.exp * 1000 <= Date.now() || revoked.has(claims.uti)) return { refused: 'Lifetime validation failed, the token is expired.' };
    return { roles: claims.roles ?? [] };
  };

  const aadError = (res: Response, status: number, error: string, code: number, description: string) => {
    const traceId = randomUUID();
    res.status(status).json({
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: traceId,
      correlation_id: randomUUID(),
      error_uri: `${baseUrl}/error?code=${code}`,
    });
  };
  const send = (res: Response, answer: GraphAnswer) => {
    res.status(answer.status).set(answer.headers ?? {});
    if (answer.body === undefined) return res.end();
    res.type('application/json').send(JSON.stringify(answer.body));
  };

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const entry: PeerRequest = { method: req.method, path: req.path, query: req.originalUrl.split('?')[1] ?? '', body: undefined, at: Date.now(), status: 0 };
    log.push(entry);
    res.locals.entry = entry;
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  });

  app.post('/:tenant/oauth2/v2.0/token', express.urlencoded({ extended: false }), (req, res) => {
    const form = (req.is('application/x-www-form-urlencoded') ? req.body : {}) as Record<string, string | undefined>;
    if (req.params.tenant !== options.tenantId) return aadError(res, 400, 'invalid_request', 90002, `Tenant '${req.params.tenant}' not found.`);
    if (!form.grant_type) return aadError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (form.grant_type !== 'client_credentials') return aadError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const client = options.apps.find((a) => a.clientId === form.client_id);
    if (!client) return aadError(res, 400, 'unauthorized_client', 700016, `Application with identifier '${form.client_id ?? ''}' was not found in the directory.`);
    if (!form.client_secret) return aadError(res, 401, 'invalid_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
    if (form.client_secret !== client.secret) return aadError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    if (form.scope !== `${GRAPH_AUDIENCE}/.default`) {
      return aadError(res, 400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.');
    }
    tokensIssued += 1;
    const iat = Math.floor(Date.now() / 1000);
    const lifetime = options.tokenLifetimeSeconds ?? 3599;
    const claims = { aud: GRAPH_AUDIENCE, iss: `https://sts.windows.net/${options.tenantId}/`, iat, nbf: iat, exp: iat + lifetime, appid: client.clientId, tid: options.tenantId, idtyp: 'app', roles: client.roles, oid: randomUUID(), ver: '1.0', uti: randomBytes(8).toString('base64url') };
    issued.add(claims.uti);
    res.json({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: sign(claims) });
  });

  let latencyMs = options.latencyMs ?? 0;
  const api = express.Router();
  api.use((_req, _res, next) => void (latencyMs > 0 ? setTimeout(next, latencyMs) : next()));
  api.use(express.json({ type: () => true }));
  api.use((req, res, next) => {
    (res.locals.entry as PeerRequest).body = req.body;
    const verdict = verify(req.header('authorization'));
    if ('refused' in verdict) return send(res, graphError(401, 'InvalidAuthenticationToken', verdict.refused));
    const failure = failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'Retry-After': String(failure.retryAfter) };
      if (failure.retryAfter !== undefined) (res.locals.entry as PeerRequest).retryAt = Date.now() + failure.retryAfter * 1000;
      const answer = failure.status === 429
        ? graphError(429, 'TooManyRequests', 'Too many requests.')
        : graphError(failure.status, failure.status >= 500 ? 'serviceNotAvailable' : 'BadRequest', failure.status >= 500 ? 'Service unavailable.' : 'Bad request.');
      return send(res, { ...answer, headers });
    }
    res.locals.roles = verdict.roles;
    next();
  });
  api.use((req, res) => {
    if (req.path === '/$batch' && req.method === 'POST') return send(res, batch(req.body, res.locals.roles as string[]));
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    send(res, tenant.handle({ method: req.method, path: req.path, query, body: req.body, roles: res.locals.roles as string[] }));
  });
  app.use('/v1.0', api);
  app.use((req, res) => send(res, graphError(400, 'BadRequest', `Invalid version: ${req.path.split('/')[1] ?? ''}`)));
  app.use((err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') return send(res, graphError(400, 'BadRequest', 'Unable to read JSON request payload.'));
    send(res, graphError(500, 'InternalServerError', 'Internal server error.'));
  });

  function batch(body: unknown, roles: string[]): GraphAnswer {
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests) || requests.length === 0) return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length > 20) return graphError(400, 'BadRequest', 'The number of requests in the batch exceeds the limit of 20.');
    const ids = new Set<string>();
    for (const r of requests as Record<string, unknown>[]) {
      if (typeof r.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') return graphError(400, 'BadRequest', 'Invalid batch payload format.');
      if (ids.has(r.id.toLowerCase())) return graphError(400, 'BadRequest', 'Request Id must be unique in the batch.');
      ids.add(r.id.toLowerCase());
      const headers = (r.headers ?? {}) as Record<string, string>;
      const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
      if (r.body !== undefined && !hasType) return graphError(400, 'BadRequest', 'Content-Type header is required when a body is given.');
    }
    batches += 1;
    const responses = (requests as { id: string; method: string; url: string; body?: unknown }[]).map((r) => {
      const at = Date.now();
      const seconds = innerThrottles.shift();
      const url = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://graph.invalid');
      const answer = seconds !== undefined
        ? { ...graphError(429, 'TooManyRequests', 'Too many requests.'), headers: { 'Retry-After': String(seconds) } }
        : tenant.handle({ method: r.method.toUpperCase(), path: url.pathname, query: url.searchParams, body: r.body, roles });
      inner.push({ batch: batches, id: r.id, method: r.method, url: r.url, status: answer.status, at, ...(seconds !== undefined ? { retryAt: at + seconds * 1000 } : {}) });
      return { id: r.id, status: answer.status, headers: { 'Cache-Control': 'no-cache', ...(answer.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...answer.headers }, ...(answer.body === undefined ? {} : { body: answer.body }) };
    });
    // Graph answers inner requests in whatever order they finished.
    return { status: 200, body: { responses: responses.reverse() } };
  }

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    graphUrl: `${baseUrl}/v1.0`,
    tenantId: options.tenantId,
    tenant,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () => closeServer(server),
    seedUser(seed) {
      if (tenant.userByUpn(seed.userPrincipalName)) throw new Error('graph peer: that user already exists');
      const user = tenant.addUser({
        userPrincipalName: seed.userPrincipalName,
        mail: seed.mail === undefined ? seed.userPrincipalName : seed.mail,
        accountEnabled: seed.accountEnabled ?? true,
        sessions: seed.sessions ?? 0,
        roles: seed.directoryRoles ?? [],
      });
      for (const name of seed.groups ?? []) (tenant.groupByName(name) ?? tenant.addGroup({ displayName: name })).members.add(user.id);
      return user;
    },
    seedGroup: (seed) => tenant.addGroup(seed),
    user(upn) {
      const u = tenant.userByUpn(upn);
      if (!u) return undefined;
      const groups = [...tenant.groups.values()].filter((g) => g.members.has(u.id)).map((g) => g.displayName).sort();
      return { ...u, groups };
    },
    deleteUser(upn) {
      const u = tenant.userByUpn(upn);
      if (!u) throw new Error('graph peer: no such user');
      tenant.users.delete(u.id);
      for (const g of tenant.groups.values()) g.members.delete(u.id);
    },
    deleteGroup: (id) => void tenant.groups.delete(id),
    requests: () => log.map((r) => ({ ...r })),
    writes: () => log.filter((r) => r.method !== 'GET' && r.path.startsWith('/v1.0/')).map((r) => ({ ...r })),
    batchRequests: () => inner.map((r) => ({ ...r })),
    tokenRequests: () => tokensIssued,
    failNext(n, status, retryAfterSeconds) {
      for (let i = 0; i < n; i++) failures.push({ status, retryAfter: retryAfterSeconds });
    },
    rateLimitNext(n, seconds) {
      for (let i = 0; i < n; i++) failures.push({ status: 429, retryAfter: seconds });
    },
    throttleInnerNext(n, seconds) {
      for (let i = 0; i < n; i++) innerThrottles.push(seconds);
    },
    expireTokens() {
      for (const uti of issued) revoked.add(uti);
    },
  };
}
