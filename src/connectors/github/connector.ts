/**
 * GitHub organisation connector. The engine knows people by work email; GitHub knows them by
 * login. The bridge is either the organisation's SAML SSO (each member's linked external identity
 * carries the IdP's NameID, the work email) or an HR field holding the GitHub login itself
 * (`identity: { by: hrField }`). Account IDs are GitHub logins; entitlements are teams.
 */
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { AccessNote, Account, Connector } from '../types';
import { GithubClient, type GithubClientOptions } from './client';
import { REQUIRED_SCOPES, accountStatusOf, isGithubLogin, oauthScopesOf, simpleUserListSchema, teamEntitlement, teamMembershipSchema, teamSchema, teamSlugOf } from './convert';
import { endAccess } from './end-access';
import { FIND_IDENTITY, SAML_PROVIDER, USER_TEAMS, graphql, identitiesOfLogins, identityNodesSchema, isNotFoundAt, samlProviderSchema } from './graphql';

export interface GithubConnectorOptions extends GithubClientOptions {
  /** Results per page (REST per_page, GraphQL first); GitHub allows at most 100. */
  pageSize?: number;
  /**
   * What findAccount is given: the work email, matched through the SAML-linked identities
   * ('saml', the default), or the GitHub login from an HR field ('login').
   */
  matchBy?: 'saml' | 'login';
}

const identitySchema = z.object({
  organization: z.object({ samlIdentityProvider: z.object({ externalIdentities: identityNodesSchema }).nullable() }).nullable(),
});
const teamsPageSchema = z.object({
  user: z.object({ login: z.string() }).nullable(),
  organization: z.object({
    teams: z.object({ pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }), nodes: z.array(z.object({ slug: z.string() })) }),
  }).nullable(),
});
const identitiesPageSchema = z.object({
  organization: z.object({ samlIdentityProvider: z.record(z.string(), identityNodesSchema).nullable() }).nullable(),
});

export class GithubConnector implements Connector {
  readonly type = 'github';
  readonly id: string;
  readonly location: string;
  private readonly client: GithubClient;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly matchBy: 'saml' | 'login';
  /** Team slugs GitHub has confirmed exist; a 404 on one of them is checked again. */
  private readonly knownTeams = new Set<string>();

  constructor(options: GithubConnectorOptions) {
    this.id = options.id;
    this.client = new GithubClient(options);
    this.location = `${this.client.http.location}${this.client.orgPath}`;
    this.pageSize = Math.min(100, Math.max(1, options.pageSize ?? 100));
    this.maxPages = options.maxPages ?? 2000;
    this.matchBy = options.matchBy ?? 'saml';
  }

  /**
   * GET /orgs/{org}/members?per_page=1: read-only, cheap, and it needs what every look-up here
   * needs (the organisation's members, readable by a classic token or an installation token alike).
   */
  async checkAccess(): Promise<void> {
    await this.readMembersProbe();
  }

  /**
   * Classic tokens (and OAuth app tokens) list their scopes in X-OAuth-Scopes: one line per scope
   * missing. Fine-grained and GitHub App installation tokens send no such header and their
   * permissions cannot be read without using them, so for every token what can be checked without
   * a change is checked: that the organisation's SAML identity provider is visible (without it no
   * account can be matched by email). Write permission of header-less tokens is not probed.
   */
  async checkPermissions(): Promise<string[]> {
    const problems: string[] = [];
    const scopes = oauthScopesOf((await this.readMembersProbe()).headers);
    if (scopes) {
      for (const need of REQUIRED_SCOPES) {
        if (!need.satisfiedBy.some((s) => scopes.includes(s))) problems.push(`${this.id}: the token lacks the ${need.scope} scope (needed for ${need.why})`);
      }
      if (problems.length > 0) return problems;
    }
    // Matched by a login from HR, nothing here needs the SAML identities.
    if (this.matchBy === 'login') return problems;
    const answer = await graphql(this.client.http, SAML_PROVIDER, { org: this.client.org });
    const org = this.parse(samlProviderSchema, answer.data).organization;
    if (!org) problems.push(`${this.id}: organisation ${this.client.org} is not visible to the token over GraphQL`);
    else if (org.samlIdentityProvider === null) problems.push(this.noSamlMessage());
    return problems;
  }

  async findAccount(login: string): Promise<Account | null> {
    if (this.matchBy === 'login') return this.findMember(login);
    const answer = await graphql(this.client.http, FIND_IDENTITY, { org: this.client.org, email: login });
    const org = this.parse(identitySchema, answer.data).organization;
    if (!org) throw new ConnectorError('unavailable', `${this.id}: GraphQL answered no organisation ${this.client.org}`, this.id);
    if (!org.samlIdentityProvider) throw new ConnectorError('bad_request', this.noSamlMessage(), this.id);
    const node = org.samlIdentityProvider.externalIdentities.nodes[0];
    // Zero identities, or one not (yet) linked to a GitHub user: no account to act on.
    if (!node?.user) return null;
    const nameId = node.samlIdentity?.nameId ?? login;
    const membership = await this.client.membership(node.user.login);
    return { id: node.user.login, login: nameId, email: nameId, status: accountStatusOf(membership) };
  }

  /**
   * By GitHub login (from HR): the organisation membership, active or pending (an invitation to
   * that user). A GitHub user outside the organisation is an account without access
   * (deprovisioned), as a SAML-linked identity without a membership is; null only when GitHub has
   * no such user. A value that cannot be a GitHub login is refused rather than looked up.
   */
  private async findMember(login: string): Promise<Account | null> {
    if (!isGithubLogin(login)) throw new ConnectorError('bad_request', `${this.id}: the HR field this system matches by does not hold a GitHub login`, this.id);
    const membership = await this.client.membership(login);
    if (!membership && !(await this.client.userExists(login))) return null;
    const id = membership?.user?.login ?? login;
    return { id, login: id, status: accountStatusOf(membership) };
  }

  /**
   * Removing the membership removes every team membership with it, so the leaver's later revoke
   * finds none: the teams held are read first and named in the note (`entitlementsRemoved`), so
   * the evidence says which went; they are read beside the disable's own first reads, and nothing is
   * removed before they are in. (An attempt cut off after the removal leaves the retry nothing to name.)
   */
  async disableAccount(accountId: string): Promise<AccessNote> {
    const held = this.listEntitlements(accountId).catch((err: unknown) => {
      if (err instanceof ConnectorError && err.code === 'not_found') return [];
      throw err;
    });
    const { access, read: teams } = await endAccess(this.client, accountId, held);
    return { ...access, detail: { ...access.detail, entitlementsRemoved: teams } };
  }

  /**
   * GraphQL `organization.teams(userLogins:)`, paged: REST has no "teams of a user in an org" call
   * (only the token owner's own /user/teams), and checking every team's membership would cost one
   * request per team. `user(login:)` in the same query tells a missing login from a user in no team.
   */
  async listEntitlements(accountId: string): Promise<string[]> {
    const slugs: string[] = [];
    let after: string | null = null;
    for (let page = 1; ; page++) {
      const vars = { org: this.client.org, login: accountId, logins: [accountId], first: this.pageSize, after };
      const answer = await graphql(this.client.http, USER_TEAMS, vars, isNotFoundAt(['user']));
      const data = this.parse(teamsPageSchema, answer.data);
      if (!data.user) {
        if (answer.expected.length > 0) throw this.client.accountNotFound();
        throw new ConnectorError('unavailable', `${this.id}: GraphQL answered no user without saying why`, this.id);
      }
      if (!data.organization) throw new ConnectorError('unavailable', `${this.id}: GraphQL answered no organisation ${this.client.org}`, this.id);
      const { nodes, pageInfo } = data.organization.teams;
      slugs.push(...nodes.map((t) => t.slug));
      if (!pageInfo.hasNextPage) break;
      if (!pageInfo.endCursor || page >= this.maxPages) {
        throw new ConnectorError('unavailable', `${this.id}: a user's teams still had more after ${page} pages; refusing a partial list`, this.id);
      }
      after = pageInfo.endCursor;
    }
    for (const slug of slugs) this.knownTeams.add(slug);
    return [...new Set(slugs)].sort().map(teamEntitlement);
  }

  /**
   * Held already (active or pending): nothing is written, so a maintainer is never demoted to
   * member. Otherwise PUT with role member; for someone not in the organisation GitHub makes that
   * an invitation, and the membership stays pending until it is accepted.
   */
  async grantEntitlement(accountId: string, entitlement: string): Promise<void> {
    const slug = teamSlugOf(this.id, entitlement);
    const path = this.teamMemberPath(slug, accountId);
    const shown = this.client.label('/teams/{team_slug}/memberships/{username}');
    const held = await this.client.request('GET', path, { accept: [404], label: shown });
    if (held.status !== 404) return void this.client.parse(teamMembershipSchema, held, 'GET', shown);
    this.client.vendorNotFound(held, 'GET', shown, undefined);
    await this.requireTeam(slug);
    const res = await this.client.request('PUT', path, { body: { role: 'member' }, accept: [404], label: shown }).catch((e: unknown) => this.synced(e, slug, 'bad_request'));
    if (res.status === 404) return this.explainMissing(res, 'PUT', shown, slug, accountId);
    this.client.parse(teamMembershipSchema, res, 'PUT', shown);
  }

  /** Removing a membership the user does not have succeeds; a team synchronised with an IdP group is not_removable. */
  async revokeEntitlement(accountId: string, entitlement: string): Promise<void> {
    const slug = teamSlugOf(this.id, entitlement);
    const shown = this.client.label('/teams/{team_slug}/memberships/{username}');
    const res = await this.client.request('DELETE', this.teamMemberPath(slug, accountId), { accept: [404], label: shown }).catch((e: unknown) => this.synced(e, slug, 'not_removable'));
    if (res.status === 404) return this.explainMissing(res, 'DELETE', shown, slug, accountId);
    this.client.expectNoContent(res, 'DELETE', shown);
  }

  /**
   * Members page by page (REST, Link paging), each page joined with its SAML identities in one
   * GraphQL query. Account id is the GitHub login; login (and email) the SAML NameID where the
   * member has a linked identity, else the GitHub login. Without a SAML provider every login is the
   * GitHub login. Pending invitees are not members yet and are not listed.
   */
  async *listAccounts(): AsyncIterable<Account[]> {
    let saml = this.matchBy === 'saml';
    const pages = this.client.pages(simpleUserListSchema, this.client.path('/members'), { per_page: this.pageSize }, this.client.label('/members'));
    for await (const members of pages) {
      const names = saml && members.length > 0 ? await this.nameIdsOf(members.map((m) => m.login)) : undefined;
      if (names === null) saml = false;
      yield members.map((m): Account => {
        const nameId = names?.get(m.login.toLowerCase());
        return nameId ? { id: m.login, login: nameId, email: nameId, status: 'active' } : { id: m.login, login: m.login, status: 'active' };
      });
    }
  }

  /** Login (lower-cased) -> SAML NameID for these members; null when the organisation has no SAML identity provider. */
  private async nameIdsOf(logins: string[]): Promise<Map<string, string> | null> {
    const vars: Record<string, string> = { org: this.client.org };
    logins.forEach((l, i) => (vars[`l${i}`] = l));
    const answer = await graphql(this.client.http, identitiesOfLogins(logins.length), vars);
    const org = this.parse(identitiesPageSchema, answer.data).organization;
    if (!org) throw new ConnectorError('unavailable', `${this.id}: GraphQL answered no organisation ${this.client.org}`, this.id);
    if (!org.samlIdentityProvider) return null;
    const names = new Map<string, string>();
    for (const connection of Object.values(org.samlIdentityProvider)) {
      for (const node of connection.nodes) if (node?.user && node.samlIdentity?.nameId) names.set(node.user.login.toLowerCase(), node.samlIdentity.nameId);
    }
    return names;
  }

  private async readMembersProbe() {
    const shown = this.client.label('/members');
    const res = await this.client.request('GET', this.client.path('/members'), { query: { per_page: 1 }, label: shown, accept: [404] });
    if (res.status === 404 && this.client.vendorNotFound(res, 'GET', shown, true)) {
      throw new ConnectorError('bad_request', `${this.id}: GitHub has no organisation ${this.client.org} visible to this token`, this.id, 404);
    }
    this.client.parse(simpleUserListSchema, res, 'GET', shown);
    return res;
  }

  /** A team that does not exist is a bad request naming it; otherwise the account is the missing one, or the membership was not held. */
  private async explainMissing(res: Awaited<ReturnType<GithubClient['request']>>, method: 'PUT' | 'DELETE', shown: string, slug: string, login: string): Promise<void> {
    this.client.vendorNotFound(res, method, shown, undefined);
    this.knownTeams.delete(slug);
    await this.requireTeam(slug);
    await this.client.requireUser(login);
    if (method === 'PUT') throw new ConnectorError('unavailable', `${this.id}: PUT ${shown} answered 404 although team "${slug}" and the user exist`, this.id, 404);
  }

  /**
   * GitHub refuses membership changes on a team synchronised with an IdP group with a 403; a 403
   * that is a rate limit has been waited on by the client already and is not accepted here.
   */
  private synced(error: unknown, slug: string, code: 'bad_request' | 'not_removable'): never {
    if (error instanceof ConnectorError && error.code === 'unauthorized' && error.status === 403 && /team synchroni[sz]ation|identity provider/i.test(error.message)) {
      throw new ConnectorError(code, `${this.id}: team "${slug}" is synchronised with an identity-provider group; change its members there (${error.message})`, this.id, 403);
    }
    throw error;
  }

  private async requireTeam(slug: string): Promise<void> {
    if (this.knownTeams.has(slug)) return;
    const shown = this.client.label('/teams/{team_slug}');
    const res = await this.client.request('GET', this.client.path(`/teams/${encodeURIComponent(slug)}`), { accept: [404], label: shown });
    if (res.status === 404 && this.client.vendorNotFound(res, 'GET', shown, true)) {
      throw new ConnectorError('bad_request', `${this.id}: no team "${slug}" in organisation ${this.client.org}`, this.id, 404);
    }
    this.client.parse(teamSchema, res, 'GET', shown);
    this.knownTeams.add(slug);
  }

  private teamMemberPath(slug: string, login: string): string {
    return this.client.path(`/teams/${encodeURIComponent(slug)}/memberships/${encodeURIComponent(login)}`);
  }

  private noSamlMessage(): string {
    return `${this.id}: organisation ${this.client.org} has no SAML identity provider visible to this token (SAML SSO not set up on the organisation, set up on its enterprise instead, or the token is not an owner's), so accounts cannot be matched by work email`;
  }

  private parse<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    throw new ConnectorError('unavailable', `${this.id}: POST /graphql answered an unexpected body`, this.id);
  }
}
