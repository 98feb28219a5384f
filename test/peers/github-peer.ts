/**
 * An in-memory GitHub peer for one organisation, written from GitHub's REST description and its
 * GraphQL schema: token auth (401 "Bad credentials"), X-OAuth-Scopes for classic tokens, the
 * API-version header, Link paging with per_page (max 100), primary and secondary rate limits
 * (403/429 with x-ratelimit-* or retry-after), GitHub's error bodies, and the org's members, SAML
 * identities, teams, invitations and credential authorizations (./github-org.ts). GraphQL is
 * served by ./github-schema.ts.
 */
import { closeServer } from './close-server';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { PeerRequest } from './request-log';
import { executeGraphql, type GraphqlErrorOut } from './github-graphql';
import { GithubOrg, slugOf, type PeerTeam } from './github-org';
import { githubSchema } from './github-schema';
import { githubError, githubRestRoutes } from './github-rest';

export type GithubRateLimitKind = 'secondary-429' | 'secondary-403' | 'primary-403' | 'primary-429' | 'graphql-primary';

export interface GithubPeerOptions {
  org?: string;
  /** Token -> its classic scopes (sent as X-OAuth-Scopes), or null for a token without them (fine-grained, App installation). */
  tokens: Record<string, string[] | null>;
  /** SAML SSO configured on the organisation (default true). */
  saml?: boolean;
  /** GitHub Enterprise Cloud: credential authorizations exist (default true). */
  enterpriseCloud?: boolean;
  /** Primary limit per hour per token (default 5,000). */
  primaryLimit?: number;
  /** Added before every answer (benchmarks use 150 ms). */
  latencyMs?: number;
}

export interface SeedGithubUser {
  login: string;
  /** The SAML NameID linked to this user; none: no linked identity. */
  nameId?: string;
  /** Organisation membership; null: none (default active). */
  membership?: 'active' | 'pending' | null;
  role?: 'admin' | 'member';
  teams?: string[];
  /** Credential authorizations (PATs) for the org's SAML SSO. */
  credentials?: number;
}

export interface GithubPeer {
  url: string;
  org: GithubOrg;
  close(): Promise<void>;
  setLatency(ms: number): void;
  seedUser(seed: SeedGithubUser): string;
  seedTeam(name: string, options?: { synced?: boolean }): PeerTeam;
  /** An identity at the IdP with no GitHub user linked to it. */
  seedUnlinkedIdentity(nameId: string): void;
  deleteUser(login: string): void;
  teamsOf(login: string): string[];
  requests(): PeerRequest[];
  /** Mutating requests; GraphQL queries are reads and are not counted. */
  writes(): PeerRequest[];
  failNext(n: number, status: number): void;
  rateLimitNext(n: number, seconds: number, kind?: GithubRateLimitKind): void;
  /** The next GraphQL answer is 200 with these errors and no data. */
  graphqlErrorsNext(errors: GraphqlErrorOut[]): void;
}

const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';

export async function startGithubPeer(options: GithubPeerOptions): Promise<GithubPeer> {
  const org = new GithubOrg(options.org ?? 'acme', options.saml ?? true, options.enterpriseCloud ?? true);
  const schema = githubSchema(org);
  const log: PeerRequest[] = [];
  const failures: number[] = [];
  const limits: { kind: GithubRateLimitKind; seconds: number }[] = [];
  const graphqlErrors: GraphqlErrorOut[][] = [];
  const primaryLimit = options.primaryLimit ?? 5000;
  const windows = new Map<string, { used: number; resetAt: number }>();
  let latencyMs = options.latencyMs ?? 0;

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // GitHub reads a JSON body whatever its content type says.
  app.use(express.json({ type: () => true }));
  app.use((req, res, next) => {
    const entry: PeerRequest = { method: req.method, path: req.path, query: req.originalUrl.split('?')[1] ?? '', body: req.body, at: Date.now(), status: 0 };
    log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    res.locals.entry = entry;
    res.setHeader('x-github-request-id', randomUUID().slice(0, 18).toUpperCase());
    if (latencyMs > 0) setTimeout(next, latencyMs);
    else next();
  });
  app.use((req, res, next) => {
    const token = /^(?:Bearer|token) (.+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!token || !(token in options.tokens)) return githubError(res, 401, 'Bad credentials');
    const version = req.header('x-github-api-version');
    if (version !== undefined && version !== '2022-11-28' && version !== '2026-03-10') return githubError(res, 400, `API version '${version}' is not supported.`);
    const scopes = options.tokens[token];
    if (scopes) res.setHeader('x-oauth-scopes', scopes.join(', '));
    res.locals.scopes = scopes;
    const resource = req.path === '/graphql' ? 'graphql' : 'core';
    const key = `${token}:${resource}`;
    const now = Date.now();
    let window = windows.get(key);
    if (!window || window.resetAt * 1000 <= now) windows.set(key, (window = { used: 0, resetAt: Math.ceil(now / 1000) + 3600 }));
    // GraphQL's primary limit is answered 200 with errors, so it waits for a GraphQL request; the others hit the next request of any kind.
    const head = limits[0];
    const injected = head && (head.kind !== 'graphql-primary' || resource === 'graphql') ? limits.shift() : undefined;
    const exhausted = window.used >= primaryLimit;
    if (!exhausted && !injected) window.used += 1;
    res.setHeader('x-ratelimit-limit', String(primaryLimit));
    res.setHeader('x-ratelimit-remaining', String(exhausted || injected?.kind.includes('primary') ? 0 : primaryLimit - window.used));
    res.setHeader('x-ratelimit-reset', String(window.resetAt));
    res.setHeader('x-ratelimit-used', String(window.used));
    res.setHeader('x-ratelimit-resource', resource);
    if (injected) return refuse(res, injected.kind, injected.seconds);
    if (exhausted) {
      (res.locals.entry as PeerRequest).retryAt = window.resetAt * 1000;
      return githubError(res, 403, 'API rate limit exceeded for user ID 1.');
    }
    const failure = failures.shift();
    if (failure !== undefined) return failure >= 500 ? githubError(res, failure, 'Server Error') : githubError(res, failure, 'Validation Failed');
    next();
  });

  function refuse(res: Response, kind: GithubRateLimitKind, seconds: number): void {
    const entry = res.locals.entry as PeerRequest;
    if (kind === 'secondary-403' || kind === 'secondary-429') {
      res.setHeader('retry-after', String(seconds));
      entry.retryAt = entry.at + seconds * 1000;
      return githubError(res, kind === 'secondary-403' ? 403 : 429, SECONDARY);
    }
    const reset = Math.ceil((entry.at + seconds * 1000) / 1000);
    res.setHeader('x-ratelimit-reset', String(reset));
    entry.retryAt = reset * 1000;
    if (kind === 'graphql-primary') {
      res.status(200).json({ errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit exceeded for user ID 1.' }] });
      return;
    }
    githubError(res, kind === 'primary-403' ? 403 : 429, 'API rate limit exceeded for user ID 1.');
  }

  app.post('/graphql', (req, res) => {
    const injected = graphqlErrors.shift();
    if (injected) return void res.json({ errors: injected });
    const body = (req.body ?? {}) as { query?: unknown; variables?: unknown };
    const scopes = res.locals.scopes as string[] | null;
    const query = typeof body.query === 'string' ? body.query : '';
    if (scopes && /samlIdentityProvider|teams/.test(query) && !scopes.some((s) => ['read:org', 'write:org', 'admin:org'].includes(s))) {
      const message = `Your token has not been granted the required scopes to execute this query. The 'samlIdentityProvider' field requires one of the following scopes: ['read:org'], but your token has only been granted the: [${scopes.map((s) => `'${s}'`).join(', ')}] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.`;
      return void res.json({ errors: [{ type: 'INSUFFICIENT_SCOPES', locations: [{ line: 1, column: 1 }], message }] });
    }
    res.json(executeGraphql(schema, body.query, body.variables));
  });
  app.use(githubRestRoutes(org));
  app.use((_req, res) => githubError(res, 404, 'Not Found'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if ((err as { type?: string }).type === 'entity.parse.failed') return githubError(res, 400, 'Problems parsing JSON');
    githubError(res, 500, 'Server Error');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    org,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () => closeServer(server),
    seedUser(seed) {
      const user = org.addUser(seed.login);
      if (seed.nameId !== undefined) org.identities.push({ guid: randomUUID(), nameId: seed.nameId, login: user.login });
      const membership = seed.membership === undefined ? 'active' : seed.membership;
      if (membership === 'active') org.memberships.set(user.login.toLowerCase(), { state: 'active', role: seed.role ?? 'member', direct: true });
      if (membership === 'pending') org.invite(user.login, seed.role ?? 'member');
      for (const name of seed.teams ?? []) org.addTeam(name).members.set(user.login.toLowerCase(), { role: 'member', state: membership === 'active' ? 'active' : 'pending' });
      for (let i = 0; i < (seed.credentials ?? 0); i++) org.addCredential(user.login, i % 2 === 0 ? 'personal access token' : 'SSH key');
      return user.login;
    },
    seedTeam: (name, teamOptions = {}) => org.addTeam(name, teamOptions.synced ?? false),
    seedUnlinkedIdentity: (nameId) => void org.identities.push({ guid: randomUUID(), nameId, login: null }),
    deleteUser: (login) => org.deleteUser(login),
    teamsOf: (login) => [...org.teams.values()].filter((t) => t.members.get(login.toLowerCase())?.state === 'active').map((t) => t.slug).sort(),
    requests: () => log.map((r) => ({ ...r })),
    writes: () => log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !(r.path === '/graphql' && !/^\s*mutation\b/.test(String((r.body as { query?: unknown } | undefined)?.query ?? '')))).map((r) => ({ ...r })),
    failNext(n, status) {
      for (let i = 0; i < n; i++) failures.push(status);
    },
    rateLimitNext(n, seconds, kind = 'secondary-429') {
      for (let i = 0; i < n; i++) limits.push({ kind, seconds });
    },
    graphqlErrorsNext: (errors) => void graphqlErrors.push(errors),
  };
}

export { slugOf };
