/**
 * The GitHub peer's REST routes for one organisation, as GitHub's REST description (2022-11-28)
 * states them: members, memberships, invitations, teams and team memberships, users, and the
 * Enterprise Cloud credential authorizations. Paged lists take per_page (max 100) and page and
 * answer a Link header; refusals carry GitHub's `{message, documentation_url}` bodies.
 */
import { Router, type Request, type Response } from 'express';
import type { GithubOrg, PeerTeam, PeerUser } from './github-org';

const OWNER_SCOPE = 'admin:org';
const DOCS = 'https://docs.github.com/rest';

/** GitHub's error body. */
export function githubError(res: Response, status: number, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ message, documentation_url: DOCS, status: String(status), ...extra });
}

export function githubRestRoutes(org: GithubOrg): Router {
  const r = Router();
  const base = (req: Request) => `http://${req.headers.host ?? '127.0.0.1'}`;
  const notFound = (res: Response) => githubError(res, 404, 'Not Found');
  const userJson = (req: Request, u: PeerUser) => ({
    login: u.login,
    id: u.id,
    node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: `${base(req)}/users/${u.login}`,
    html_url: `https://github.com/${u.login}`,
    followers_url: `${base(req)}/users/${u.login}/followers`,
    following_url: `${base(req)}/users/${u.login}/following{/other_user}`,
    gists_url: `${base(req)}/users/${u.login}/gists{/gist_id}`,
    starred_url: `${base(req)}/users/${u.login}/starred{/owner}{/repo}`,
    subscriptions_url: `${base(req)}/users/${u.login}/subscriptions`,
    organizations_url: `${base(req)}/users/${u.login}/orgs`,
    repos_url: `${base(req)}/users/${u.login}/repos`,
    events_url: `${base(req)}/users/${u.login}/events{/privacy}`,
    received_events_url: `${base(req)}/users/${u.login}/received_events`,
    type: 'User',
    site_admin: false,
    user_view_type: 'public',
  });
  const orgJson = (req: Request) => ({ login: org.login, id: 1, node_id: 'O_kgDOAAAAAQ', url: `${base(req)}/orgs/${org.login}`, repos_url: `${base(req)}/orgs/${org.login}/repos`, events_url: `${base(req)}/orgs/${org.login}/events`, hooks_url: `${base(req)}/orgs/${org.login}/hooks`, issues_url: `${base(req)}/orgs/${org.login}/issues`, members_url: `${base(req)}/orgs/${org.login}/members{/member}`, public_members_url: `${base(req)}/orgs/${org.login}/public_members{/member}`, avatar_url: 'https://avatars.githubusercontent.com/u/1?v=4', description: null });
  const teamJson = (req: Request, t: PeerTeam) => ({ id: t.id, node_id: `T_${t.id}`, url: `${base(req)}/organizations/1/team/${t.id}`, html_url: `https://github.com/orgs/${org.login}/teams/${t.slug}`, name: t.name, slug: t.slug, description: null, privacy: 'closed', notification_setting: 'notifications_enabled', permission: 'pull', members_url: `${base(req)}/organizations/1/team/${t.id}/members{/member}`, repositories_url: `${base(req)}/organizations/1/team/${t.id}/repos`, parent: null, type: 'organization' });

  /** One page of `items` by per_page/page, with GitHub's Link header (next, last, first, prev). */
  const paged = <T>(req: Request, res: Response, items: T[]): T[] => {
    const perPageAsked = Number(req.query.per_page);
    const perPage = Number.isInteger(perPageAsked) && perPageAsked > 0 ? Math.min(perPageAsked, 100) : 30;
    const pageAsked = Number(req.query.page);
    const page = Number.isInteger(pageAsked) && pageAsked > 0 ? pageAsked : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(req.query as Record<string, string>);
      q.set('per_page', String(perPage));
      q.set('page', String(n));
      return `<${base(req)}${req.baseUrl}${req.path}?${q.toString()}>; rel="${rel}"`;
    };
    const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
    if (links.length > 0) res.setHeader('link', links.join(', '));
    return items.slice((page - 1) * perPage, page * perPage);
  };
  const isOwnerToken = (res: Response) => {
    const scopes = res.locals.scopes as string[] | null;
    return !scopes || scopes.includes(OWNER_SCOPE);
  };

  const orgRoutes = Router({ mergeParams: true });
  r.use('/orgs/:org', (req, res, next) => (String(req.params.org).toLowerCase() === org.login.toLowerCase() ? next() : notFound(res)), orgRoutes);
  // Writes need an owner: a classic token without admin:org is refused.
  orgRoutes.use((req, res, next) => (req.method === 'GET' || isOwnerToken(res) ? next() : githubError(res, 403, 'You must be an organization owner to perform this action.')));

  orgRoutes.get('/members', (req, res) => {
    const members = [...org.users.values()].filter((u) => org.membership(u.login)?.state === 'active').sort((a, b) => a.id - b.id);
    res.json(paged(req, res, members).map((u) => userJson(req, u)));
  });
  orgRoutes.get('/members/:username', (req, res) => (org.membership(req.params.username as string)?.state === 'active' ? res.status(204).end() : notFound(res)));

  const membershipJson = (req: Request, u: PeerUser) => {
    const m = org.membership(u.login)!;
    return { url: `${base(req)}/orgs/${org.login}/memberships/${u.login}`, state: m.state, role: m.role, direct_membership: m.direct, organization_url: `${base(req)}/orgs/${org.login}`, organization: orgJson(req), user: userJson(req, u), permissions: { can_create_repository: true } };
  };
  orgRoutes.get('/memberships/:username', (req, res) => {
    const user = org.user(req.params.username as string);
    if (!user || !org.membership(user.login)) return notFound(res);
    res.json(membershipJson(req, user));
  });
  orgRoutes.put('/memberships/:username', (req, res) => {
    const role = (req.body as { role?: unknown } | undefined)?.role ?? 'member';
    if (role !== 'admin' && role !== 'member') return githubError(res, 422, 'Invalid request.\n\nFor \'properties/role\', "' + String(role) + '" is not one of ["admin", "member"].', { status: '422' });
    const user = org.user(req.params.username as string);
    if (!user) return notFound(res);
    const current = org.membership(user.login);
    if (current) current.role = role;
    else org.invite(user.login, role);
    res.json(membershipJson(req, user));
  });
  const removeMember = (req: Request, res: Response) => {
    const user = org.user(req.params.username as string);
    if (!user || !org.removeMember(user.login)) return notFound(res);
    res.status(204).end();
  };
  orgRoutes.delete('/memberships/:username', removeMember);
  orgRoutes.delete('/members/:username', removeMember);

  orgRoutes.get('/invitations', (req, res) => {
    const list = [...org.invitations.values()].sort((a, b) => a.id - b.id);
    const inviter = org.users.values().next().value;
    res.json(paged(req, res, list).map((i) => ({ id: i.id, node_id: `OI_${i.id}`, login: i.login, email: i.email, role: i.role, created_at: i.created_at, failed_at: null, failed_reason: null, inviter: inviter ? userJson(req, inviter) : null, team_count: i.teamIds.length, invitation_teams_url: `${base(req)}/organizations/1/invitations/${i.id}/teams`, invitation_source: 'member' })));
  });
  orgRoutes.delete('/invitations/:id', (req, res) => (org.cancelInvitation(Number(req.params.id)) ? res.status(204).end() : notFound(res)));

  orgRoutes.get('/teams', (req, res) => res.json(paged(req, res, [...org.teams.values()].sort((a, b) => a.id - b.id)).map((t) => teamJson(req, t))));
  orgRoutes.get('/teams/:slug', (req, res) => {
    const team = org.teams.get(String(req.params.slug).toLowerCase());
    if (!team) return notFound(res);
    res.json({ ...teamJson(req, team), members_count: team.members.size, repos_count: 0, created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z', organization: { ...orgJson(req), html_url: `https://github.com/${org.login}`, has_organization_projects: true, has_repository_projects: true, public_repos: 0, public_gists: 0, followers: 0, following: 0, type: 'Organization', created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z', archived_at: null } });
  });
  const teamMember = (req: Request) => {
    const team = org.teams.get(String(req.params.slug).toLowerCase());
    const user = org.user(req.params.username as string);
    return { team, user, held: team && user ? team.members.get(user.login.toLowerCase()) : undefined };
  };
  const teamMembershipJson = (req: Request, team: PeerTeam, user: PeerUser) => {
    const m = team.members.get(user.login.toLowerCase())!;
    return { url: `${base(req)}/organizations/1/team/${team.id}/memberships/${user.login}`, role: m.role, state: m.state };
  };
  orgRoutes.get('/teams/:slug/memberships/:username', (req, res) => {
    const { team, user, held } = teamMember(req);
    if (!team || !user || !held) return notFound(res);
    res.json(teamMembershipJson(req, team, user));
  });
  orgRoutes.put('/teams/:slug/memberships/:username', (req, res) => {
    const role = (req.body as { role?: unknown } | undefined)?.role ?? 'member';
    if (role !== 'member' && role !== 'maintainer') return githubError(res, 422, 'Invalid request.\n\nFor \'properties/role\', "' + String(role) + '" is not one of ["member", "maintainer"].');
    const { team, user, held } = teamMember(req);
    if (!team || !user) return notFound(res);
    if (team.synced) return githubError(res, 403, 'This team is synchronized with an identity provider group; team membership is managed by the identity provider (team synchronization).');
    const orgState = org.membership(user.login)?.state;
    if (held) held.role = role;
    else {
      // Someone outside the organisation is invited to it; the team membership waits for the acceptance.
      if (!orgState) org.invite(user.login, 'member', [team.id]);
      team.members.set(user.login.toLowerCase(), { role, state: orgState === 'active' ? 'active' : 'pending' });
    }
    res.json(teamMembershipJson(req, team, user));
  });
  orgRoutes.delete('/teams/:slug/memberships/:username', (req, res) => {
    const { team, user } = teamMember(req);
    if (!team || !user) return notFound(res);
    if (team.synced) return githubError(res, 403, 'This team is synchronized with an identity provider group; team membership is managed by the identity provider (team synchronization).');
    // The description answers 204 whether or not the user was on the team.
    team.members.delete(user.login.toLowerCase());
    res.status(204).end();
  });

  orgRoutes.get('/credential-authorizations', (req, res) => {
    if (!org.enterpriseCloud) return notFound(res);
    const login = typeof req.query.login === 'string' ? req.query.login : undefined;
    const list = [...org.credentials.values()].filter((c) => !login || c.login.toLowerCase() === login.toLowerCase()).sort((a, b) => a.credential_id - b.credential_id);
    res.json(paged(req, res, list).map((c) => ({ ...c, credential_accessed_at: null, token_last_eight: c.credential_type === 'SSH key' ? undefined : String(c.authorized_credential_id).padStart(8, '0').slice(-8), scopes: ['repo'] })));
  });
  orgRoutes.delete('/credential-authorizations/:id', (req, res) => {
    if (!org.enterpriseCloud || !org.credentials.delete(Number(req.params.id))) return notFound(res);
    res.status(204).end();
  });

  r.get('/users/:username', (req, res) => {
    const user = org.user(req.params.username);
    if (!user) return notFound(res);
    res.json({ ...userJson(req, user), name: user.name, company: null, blog: '', location: null, email: null, hireable: null, bio: null, twitter_username: null, public_repos: 0, public_gists: 0, followers: 0, following: 0, created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z' });
  });
  return r;
}
