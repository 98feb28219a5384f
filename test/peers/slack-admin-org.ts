/**
 * The in-memory Enterprise Grid org behind the Slack admin peer: users as Slack's SCIM API holds
 * them, each user's active sessions, and one workspace's user groups.
 */
import { randomBytes } from 'node:crypto';

export interface OrgUser {
  id: string;
  /** Slack's handle: a SCIM userName given as an email is turned into its local part. */
  userName: string;
  email: string;
  givenName: string;
  familyName: string;
  active: boolean;
  /** Session IDs the user is signed in with. */
  sessions: number[];
  isBot: boolean;
}

export interface OrgGroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
  disabled: boolean;
}

export const peerTeamId = 'T0GRIDWS1';
export const peerEnterpriseId = 'E0GRIDORG';
/** The org admin whose token the peer issues; a standing member of every seeded group. */
export const peerAdminId = 'W0ADMIN01';

export class GridOrg {
  readonly users = new Map<string, OrgUser>();
  readonly groups = new Map<string, OrgGroup>();
  private nextSession = 1_000_000;

  constructor() {
    this.users.set(peerAdminId, { id: peerAdminId, userName: 'it-admin', email: 'it-admin@acme.test', givenName: 'IT', familyName: 'Admin', active: true, sessions: [], isBot: false });
  }

  byEmail(email: string): OrgUser | undefined {
    return [...this.users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
  }

  addUser(seed: { email: string; userName?: string; givenName?: string; familyName?: string; active?: boolean; sessions?: number }): OrgUser {
    const user: OrgUser = {
      id: `W${randomBytes(5).toString('hex').toUpperCase()}`,
      userName: (seed.userName ?? seed.email).split('@')[0]!,
      email: seed.email,
      givenName: seed.givenName ?? 'Test',
      familyName: seed.familyName ?? 'User',
      active: seed.active ?? true,
      sessions: [],
      isBot: false,
    };
    for (let i = 0; i < (seed.sessions ?? 0); i++) user.sessions.push(this.nextSession++);
    this.users.set(user.id, user);
    return user;
  }

  addGroup(handle: string, users: string[] = []): OrgGroup {
    const group: OrgGroup = { id: `S${randomBytes(5).toString('hex').toUpperCase()}`, handle, name: handle, users: [...users], disabled: false };
    this.groups.set(group.id, group);
    return group;
  }

  groupByHandle(handle: string): OrgGroup | undefined {
    return [...this.groups.values()].find((g) => g.handle === handle);
  }

  /** Removes a user outright (as if never there), memberships and sessions included. */
  removeUser(id: string): void {
    this.users.delete(id);
    for (const g of this.groups.values()) g.users = g.users.filter((u) => u !== id);
  }
}
