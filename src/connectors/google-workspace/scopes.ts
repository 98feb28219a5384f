/**
 * The OAuth scopes the connector asks for, one per kind of call (each as the Directory API's
 * discovery document lists for the method). Each is requested on its own token, so a scope missing
 * from the domain-wide delegation fails only the calls that need it, naming it.
 */
const PREFIX = 'https://www.googleapis.com/auth/';

export const SCOPES = {
  /** users.get, users.list, users.insert, users.update */
  user: `${PREFIX}admin.directory.user`,
  /** users.signOut, tokens.list/delete, asps.list/delete */
  security: `${PREFIX}admin.directory.user.security`,
  /** members.insert, members.delete */
  member: `${PREFIX}admin.directory.group.member`,
  /** groups.get, groups.list */
  groupRead: `${PREFIX}admin.directory.group.readonly`,
} as const;

export type ScopeName = keyof typeof SCOPES;

/** What each scope is for, for the lines `jml doctor` prints. */
export const SCOPE_PURPOSE: Record<ScopeName, string> = {
  user: 'finding, creating, suspending and listing users',
  security: 'signing users out and revoking their OAuth grants and app passwords',
  member: 'adding and removing group members',
  groupRead: "reading groups and a user's memberships",
};
