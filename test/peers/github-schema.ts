/**
 * The part of GitHub's GraphQL schema the peer serves, over its in-memory organisation:
 * `organization(login:)` with `samlIdentityProvider.externalIdentities(first, after, login,
 * userName, membersOnly)` and `teams(first, after, userLogins, query)`, and `user(login:)`.
 * Connections are cursor-paged as GitHub pages them, and refuse `first` missing or over 100.
 */
import { FieldError, type FieldDef, type Schema } from './github-graphql';
import type { GithubOrg, PeerIdentity, PeerTeam, PeerUser } from './github-org';

const CONNECTION_ARGS = ['first', 'after', 'last', 'before'] as const;

interface Page<T> { items: T[]; start: number; hasNextPage: boolean; total: number }

function cursorOf(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function page<T>(all: T[], args: Record<string, unknown>, connection: string): Page<T> {
  const first = args.first;
  if (typeof first !== 'number') throw new FieldError('MISSING_PAGINATION_BOUNDARIES', `You must provide a \`first\` or \`last\` value to properly paginate the \`${connection}\` connection.`);
  if (first > 100 || first < 0) throw new FieldError('EXCESSIVE_PAGINATION', `Requesting ${first} records on the \`${connection}\` connection exceeds the \`first\` limit of 100 records.`);
  let start = 0;
  if (typeof args.after === 'string') {
    const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(args.after, 'base64').toString());
    if (!match) throw new FieldError('INVALID_CURSOR_ARGUMENTS', `\`${args.after}\` does not appear to be a valid cursor.`);
    start = Number(match[1]) + 1;
  }
  const items = all.slice(start, start + first);
  return { items, start, hasNextPage: start + first < all.length, total: all.length };
}

const scalar = (resolve: FieldDef['resolve']): FieldDef => ({ type: 'scalar', resolve });
const connection = (node: string): Record<string, FieldDef> => ({
  nodes: { type: `${node}[]`, resolve: (p) => (p as Page<unknown>).items },
  edges: { type: `${node}Edge[]`, resolve: (p) => (p as Page<unknown>).items.map((node, i) => ({ node, cursor: cursorOf((p as Page<unknown>).start + i) })) },
  pageInfo: { type: 'PageInfo', resolve: (p) => p },
  totalCount: scalar((p) => (p as Page<unknown>).total),
});
const edge = (node: string): Record<string, FieldDef> => ({
  node: { type: node, resolve: (e) => (e as { node: unknown }).node },
  cursor: scalar((e) => (e as { cursor: string }).cursor),
});

export function githubSchema(org: GithubOrg): Schema {
  const userByLogin = (login: string | null) => (login ? org.user(login) ?? null : null);
  return {
    Query: {
      organization: {
        type: 'Organization',
        args: ['login'],
        resolve: (_p, { login }) => {
          if (typeof login !== 'string' || login.toLowerCase() !== org.login.toLowerCase()) throw new FieldError('NOT_FOUND', `Could not resolve to an Organization with the login of '${String(login)}'.`);
          return org;
        },
      },
      user: {
        type: 'User',
        args: ['login'],
        resolve: (_p, { login }) => {
          const user = typeof login === 'string' ? org.user(login) : undefined;
          if (!user) throw new FieldError('NOT_FOUND', `Could not resolve to a User with the login of '${String(login)}'.`);
          return user;
        },
      },
    },
    Organization: {
      login: scalar(() => org.login),
      samlIdentityProvider: { type: 'OrganizationIdentityProvider', resolve: () => (org.saml ? org : null) },
      teams: {
        type: 'TeamConnection',
        args: [...CONNECTION_ARGS, 'userLogins', 'query', 'orderBy', 'privacy', 'role', 'rootTeamsOnly', 'ldapMapped', 'notificationSetting'],
        resolve: (_p, args) => {
          const logins = Array.isArray(args.userLogins) ? (args.userLogins as string[]).map((l) => l.toLowerCase()) : undefined;
          const query = typeof args.query === 'string' ? args.query.toLowerCase() : undefined;
          const teams = [...org.teams.values()]
            .filter((t) => !logins || logins.some((l) => t.members.get(l)?.state === 'active'))
            .filter((t) => !query || t.name.toLowerCase().includes(query) || t.slug.includes(query))
            .sort((a, b) => a.name.localeCompare(b.name));
          return page(teams, args, 'teams');
        },
      },
    },
    OrganizationIdentityProvider: {
      id: scalar(() => `OIP_${org.login}`),
      ssoUrl: scalar(() => 'https://idp.example/sso/saml'),
      externalIdentities: {
        type: 'ExternalIdentityConnection',
        args: [...CONNECTION_ARGS, 'login', 'userName', 'membersOnly'],
        resolve: (_p, args) => {
          const login = typeof args.login === 'string' ? args.login.toLowerCase() : undefined;
          const userName = typeof args.userName === 'string' ? args.userName.toLowerCase() : undefined;
          const identities = org.identities
            .filter((i) => login === undefined || i.login?.toLowerCase() === login)
            .filter((i) => userName === undefined || i.nameId.toLowerCase() === userName)
            .filter((i) => args.membersOnly !== true || (i.login !== null && org.membership(i.login)?.state === 'active'));
          return page(identities, args, 'externalIdentities');
        },
      },
    },
    ExternalIdentityConnection: connection('ExternalIdentity'),
    ExternalIdentityEdge: edge('ExternalIdentity'),
    ExternalIdentity: {
      guid: scalar((i) => (i as PeerIdentity).guid),
      samlIdentity: { type: 'ExternalIdentitySamlAttributes', resolve: (i) => i },
      user: { type: 'User', resolve: (i) => userByLogin((i as PeerIdentity).login) },
    },
    ExternalIdentitySamlAttributes: {
      nameId: scalar((i) => (i as PeerIdentity).nameId),
      username: scalar((i) => (i as PeerIdentity).nameId),
    },
    User: {
      login: scalar((u) => (u as PeerUser).login),
      name: scalar((u) => (u as PeerUser).name),
      databaseId: scalar((u) => (u as PeerUser).id),
    },
    TeamConnection: connection('Team'),
    TeamEdge: edge('Team'),
    Team: {
      slug: scalar((t) => (t as PeerTeam).slug),
      name: scalar((t) => (t as PeerTeam).name),
      databaseId: scalar((t) => (t as PeerTeam).id),
    },
    PageInfo: {
      hasNextPage: scalar((p) => (p as Page<unknown>).hasNextPage),
      hasPreviousPage: scalar((p) => (p as Page<unknown>).start > 0),
      endCursor: scalar((p) => ((p as Page<unknown>).items.length > 0 ? cursorOf((p as Page<unknown>).start + (p as Page<unknown>).items.length - 1) : null)),
      startCursor: scalar((p) => ((p as Page<unknown>).items.length > 0 ? cursorOf((p as Page<unknown>).start) : null)),
    },
  };
}
