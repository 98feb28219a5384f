import type { AppGrants } from './app-grants';
import { openDatabase } from './database';
import { migrate } from './migrate';
import { evidenceTamperRights } from './role-check';

export interface OwnerMigration {
  applied: string[];
  /** What the app role was granted; absent when there is no app role apart from the owner. */
  grants?: AppGrants;
  /** Why the app role could still change evidence (see evidenceTamperRights); empty is good. */
  appRoleProblems: string[];
}

/**
 * Migrates as the owner (`ownerUrl`), then grants the app role its privileges: `appRole` when
 * given, else DATABASE_URL's user. When that is the owner itself (dev, one role), no grants.
 */
export async function migrateAsOwner(options: { ownerUrl: string; appUrl?: string; appRole?: string }): Promise<OwnerMigration> {
  const db = await openDatabase({ url: options.ownerUrl, poolSize: 1 });
  try {
    const owner = (await db.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
    const appRole = options.appRole ?? (options.appUrl ? await roleOf(options.appUrl) : undefined);
    const separate = appRole !== undefined && appRole !== owner;
    let grants: AppGrants | undefined;
    const applied = await migrate(db, separate ? { appRole, onGrants: (g) => (grants = g) } : {});
    const appRoleProblems = separate ? await evidenceTamperRights(db, appRole) : [];
    return { applied, ...(grants ? { grants } : {}), appRoleProblems };
  } finally {
    await db.close();
  }
}

/** The role a URL connects as: its user, else (PGUSER, the OS user) whatever the server says. */
async function roleOf(url: string): Promise<string> {
  const user = decodeURIComponent(new URL(url).username);
  if (user) return user;
  const db = await openDatabase({ url, poolSize: 1 });
  try {
    return (await db.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
  } finally {
    await db.close();
  }
}
