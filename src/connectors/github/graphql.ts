/**
 * GitHub's GraphQL endpoint (POST /graphql): the queries the connector sends and how their answers
 * are read. GraphQL answers 200 even when it failed, with `{"errors":[...]}` beside partial or
 * null data: any error is an error here, never an empty list, except the one each caller expects
 * (a `user(login:)` that GitHub says does not exist).
 */
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { JsonHttpClient, JsonResponse } from '../http';
import { GITHUB_API_VERSION } from './convert';
import { githubRetryAfterMs } from './rate-limits';

export const GRAPHQL_PATH = '/graphql';

const graphqlErrorSchema = z
  .object({
    message: z.string().optional(),
    type: z.string().optional(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
    extensions: z.object({ code: z.string().optional() }).loose().optional(),
  })
  .loose();
export type GraphqlError = z.infer<typeof graphqlErrorSchema>;
const envelopeSchema = z.object({ data: z.unknown().optional(), errors: z.array(graphqlErrorSchema).optional() });

/** The SAML identity linked to a work email (GitHub matches `userName` against the NameID or SCIM userName). */
export const FIND_IDENTITY = `query($org: String!, $email: String!) {
  organization(login: $org) {
    samlIdentityProvider {
      externalIdentities(first: 1, userName: $email) {
        nodes { samlIdentity { nameId } user { login } }
      }
    }
  }
}`;

/** The teams a user is in, one page; `user` tells a missing login from a user in no team. */
export const USER_TEAMS = `query($org: String!, $login: String!, $logins: [String!], $first: Int!, $after: String) {
  user(login: $login) { login }
  organization(login: $org) {
    teams(first: $first, after: $after, userLogins: $logins) {
      pageInfo { hasNextPage endCursor }
      nodes { slug }
    }
  }
}`;

/** Whether the organisation has a SAML identity provider this token may see. */
export const SAML_PROVIDER = `query($org: String!) {
  organization(login: $org) { samlIdentityProvider { id } }
}`;
export const samlProviderSchema = z.object({ organization: z.object({ samlIdentityProvider: z.object({ id: z.string() }).nullable() }).nullable() });

/**
 * The SAML identities of one page of members, one aliased `externalIdentities(login:)` each, so an
 * org of any size is joined page by page without reading every identity first.
 */
export function identitiesOfLogins(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$l${i}: String!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `m${i}: externalIdentities(first: 1, login: $l${i}) { nodes { samlIdentity { nameId } user { login } } }`).join('\n      ');
  return `query($org: String!, ${vars}) {
  organization(login: $org) {
    samlIdentityProvider {
      ${fields}
    }
  }
}`;
}

export const identityNodesSchema = z.object({
  nodes: z.array(z.object({ samlIdentity: z.object({ nameId: z.string().nullable() }).nullable(), user: z.object({ login: z.string() }).nullable() }).nullable()),
});

export interface GraphqlAnswer {
  data: unknown;
  /** Errors the caller said it expects (by type and path), left for it to read. */
  expected: GraphqlError[];
}

/**
 * Sends one query. Throws on every GraphQL error except those `expect` accepts: RATE_LIMITED as
 * rate_limited (with the wait the headers give), FORBIDDEN and INSUFFICIENT_SCOPES as unauthorized,
 * validation errors (an `extensions.code`) as bad_request, and the rest as unavailable.
 */
export async function graphql(
  http: JsonHttpClient,
  query: string,
  variables: Record<string, unknown>,
  expect: (error: GraphqlError) => boolean = () => false,
  now: () => number = Date.now,
): Promise<GraphqlAnswer> {
  const res = await http.request('POST', GRAPHQL_PATH, { body: { query, variables }, headers: { 'X-GitHub-Api-Version': GITHUB_API_VERSION } });
  const parsed = envelopeSchema.safeParse(res.body);
  if (!parsed.success || (parsed.data.data === undefined && parsed.data.errors === undefined)) {
    throw new ConnectorError('unavailable', `${http.system}: POST ${GRAPHQL_PATH} answered ${res.status} with an unexpected body`, http.system, res.status);
  }
  const errors = parsed.data.errors ?? [];
  const unexpected = errors.filter((e) => !expect(e));
  if (unexpected.length > 0) throw toError(http.system, res, unexpected, now());
  return { data: parsed.data.data ?? null, expected: errors };
}

function toError(system: string, res: JsonResponse, errors: GraphqlError[], nowMs: number): ConnectorError {
  // Messages name fields and types; the values queried (emails, logins) are not repeated in them
  // except in NOT_FOUND ("Could not resolve to a User with the login of ..."), which is left out.
  const describe = (e: GraphqlError) => (e.type === 'NOT_FOUND' ? `NOT_FOUND at ${(e.path ?? []).join('.')}` : [e.type ?? e.extensions?.code, e.message].filter(Boolean).join(': '));
  const text = `${system}: POST ${GRAPHQL_PATH} answered errors: ${errors.map(describe).join('; ').slice(0, 500)}`;
  const types = new Set(errors.map((e) => e.type));
  if (types.has('RATE_LIMITED') || types.has('RATE_LIMIT')) {
    const waitMs = githubRetryAfterMs(res.headers, nowMs);
    return new ConnectorError('rate_limited', `${text} (retry after ${waitMs} ms)`, system, res.status, waitMs);
  }
  if (types.has('FORBIDDEN') || types.has('INSUFFICIENT_SCOPES')) return new ConnectorError('unauthorized', text, system, res.status);
  // An organisation (or other object) GitHub cannot resolve for this token: configuration, not an outage.
  if (types.has('NOT_FOUND')) return new ConnectorError('bad_request', `${text} (not found, or not visible to the token)`, system, res.status);
  if (errors.every((e) => e.extensions?.code !== undefined && e.type === undefined)) return new ConnectorError('bad_request', text, system, res.status);
  return new ConnectorError('unavailable', text, system, res.status);
}

/** A NOT_FOUND error GitHub gave for the field at `path` (e.g. ['user']). */
export function isNotFoundAt(path: string[]): (error: GraphqlError) => boolean {
  return (e) => e.type === 'NOT_FOUND' && (e.path ?? []).join('.') === path.join('.');
}
