/**
 * The Graph application permissions the connector's work needs, as Graph's API reference lists
 * them (least privileged first; a broader one named there also serves):
 *  - find, list, create, enable and disable users (PATCH accountEnabled): User.ReadWrite.All;
 *  - list a user's groups and add or remove members: GroupMember.ReadWrite.All;
 *  - revokeSignInSessions: User.RevokeSessions.All, or User.ReadWrite.All / Directory.ReadWrite.All
 *    (the permissions earlier revisions of that page list).
 */
export interface RequiredPermission {
  /** The permission to grant, as the Entra admin center names it. */
  name: string;
  /** Any of these in the token's roles claim satisfies it. */
  satisfiedBy: readonly string[];
  neededFor: string;
}

export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  { name: 'User.ReadWrite.All', satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'], neededFor: 'find, list, create, enable and disable users' },
  {
    name: 'GroupMember.ReadWrite.All',
    satisfiedBy: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    neededFor: "read a user's groups and add or remove group members",
  },
  {
    name: 'User.RevokeSessions.All',
    satisfiedBy: ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    neededFor: "revoke a leaver's sign-in sessions (User.ReadWrite.All also serves)",
  },
];

/** One line per permission the granted roles lack; [] when nothing is missing. */
export function missingPermissions(system: string, roles: readonly string[]): string[] {
  const granted = new Set(roles);
  return REQUIRED_PERMISSIONS.filter((p) => !p.satisfiedBy.some((r) => granted.has(r))).map(
    (p) => `${system}: Microsoft Graph application permission ${p.name} is not granted (needed to ${p.neededFor}); add it to the app registration and grant admin consent`,
  );
}
