/**
 * The GitHub peer's in-memory organisation: users (GitHub-wide), the org's SAML identities,
 * memberships, teams and team memberships, invitations and SAML credential authorizations, with
 * GitHub's rules for how they move together (removing a member ends their team memberships and
 * invitations; cancelling an invitation ends a pending membership).
 */

export interface PeerUser { id: number; login: string; name: string }
export interface PeerIdentity { guid: string; nameId: string; login: string | null }
export interface PeerMembership { state: 'active' | 'pending'; role: 'admin' | 'member'; direct: boolean }
export interface PeerTeam { id: number; slug: string; name: string; synced: boolean; members: Map<string, { role: 'member' | 'maintainer'; state: 'active' | 'pending' }> }
export interface PeerInvitation { id: number; login: string | null; email: string | null; role: string; created_at: string; teamIds: number[] }
export interface PeerCredential { credential_id: number; login: string; credential_type: string; authorized_credential_id: number; credential_authorized_at: string }

export class GithubOrg {
  readonly users = new Map<string, PeerUser>();
  readonly identities: PeerIdentity[] = [];
  readonly memberships = new Map<string, PeerMembership>();
  readonly teams = new Map<string, PeerTeam>();
  readonly invitations = new Map<number, PeerInvitation>();
  readonly credentials = new Map<number, PeerCredential>();
  private seq = 1000;

  constructor(
    readonly login: string,
    /** Whether SAML SSO is configured on the organisation (samlIdentityProvider non-null). */
    public saml: boolean,
    /** GitHub Enterprise Cloud: the credential-authorizations endpoints exist. */
    public enterpriseCloud: boolean,
  ) {}

  nextId(): number {
    return ++this.seq;
  }

  user(login: string): PeerUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  addUser(login: string): PeerUser {
    if (this.user(login)) throw new Error(`github peer: user ${login} exists`);
    const user = { id: this.nextId(), login, name: login };
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  deleteUser(login: string): void {
    const key = login.toLowerCase();
    if (!this.users.delete(key)) throw new Error(`github peer: no user ${login}`);
    this.removeMember(key);
    // The identity stays at the IdP, unlinked: GitHub shows it with user null.
    for (const identity of this.identities) if (identity.login?.toLowerCase() === key) identity.login = null;
    for (const [id, c] of this.credentials) if (c.login.toLowerCase() === key) this.credentials.delete(id);
  }

  membership(login: string): PeerMembership | undefined {
    return this.memberships.get(login.toLowerCase());
  }

  /** An invitation and a pending membership, as PUT /orgs/{org}/memberships/{username} or a team PUT for an outsider makes. */
  invite(login: string, role: 'admin' | 'member', teamIds: number[] = []): PeerInvitation {
    const existing = [...this.invitations.values()].find((i) => i.login?.toLowerCase() === login.toLowerCase());
    if (existing) {
      for (const t of teamIds) if (!existing.teamIds.includes(t)) existing.teamIds.push(t);
      return existing;
    }
    const invitation = { id: this.nextId(), login: this.user(login)!.login, email: null, role: role === 'admin' ? 'admin' : 'direct_member', created_at: new Date().toISOString(), teamIds };
    this.invitations.set(invitation.id, invitation);
    this.memberships.set(login.toLowerCase(), { state: 'pending', role, direct: true });
    return invitation;
  }

  /** DELETE membership: a member leaves (teams with it); an invitee's invitation is cancelled. */
  removeMember(login: string): boolean {
    const key = login.toLowerCase();
    const had = this.memberships.delete(key);
    for (const team of this.teams.values()) team.members.delete(key);
    for (const [id, inv] of this.invitations) if (inv.login?.toLowerCase() === key) this.invitations.delete(id);
    return had;
  }

  cancelInvitation(id: number): boolean {
    const invitation = this.invitations.get(id);
    if (!invitation) return false;
    this.invitations.delete(id);
    const key = invitation.login?.toLowerCase();
    if (key && this.memberships.get(key)?.state === 'pending') {
      this.memberships.delete(key);
      for (const team of this.teams.values()) if (team.members.get(key)?.state === 'pending') team.members.delete(key);
    }
    return true;
  }

  addTeam(name: string, synced = false): PeerTeam {
    const slug = slugOf(name);
    const existing = this.teams.get(slug);
    if (existing) return existing;
    const team = { id: this.nextId(), slug, name, synced, members: new Map() };
    this.teams.set(slug, team);
    return team;
  }

  identityOf(login: string): PeerIdentity | undefined {
    return this.identities.find((i) => i.login?.toLowerCase() === login.toLowerCase());
  }

  addCredential(login: string, type = 'personal access token'): PeerCredential {
    const credential = { credential_id: this.nextId(), login: this.user(login)!.login, credential_type: type, authorized_credential_id: this.nextId(), credential_authorized_at: new Date().toISOString() };
    this.credentials.set(credential.credential_id, credential);
    return credential;
  }

  credentialsOf(login: string): PeerCredential[] {
    return [...this.credentials.values()].filter((c) => c.login.toLowerCase() === login.toLowerCase());
  }
}

/** GitHub's slug: lower case, runs of other characters as one hyphen. */
export function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]+/g, '-').replace(/^-+|-+$/g, '');
}
