import { ConfigError, type AppConfig } from '../config/load';
import { openDatabase, type Database } from '../db/database';
import { migrate, pendingMigrations } from '../db/migrate';
import { migrateAsOwner } from '../db/owner-migrate';
import { evidenceTamperRights } from '../db/role-check';
import type { Logger } from '../log';

export interface ProcessDatabase {
  db: Database;
  /**
   * `app`: DATABASE_URL's role may only read and append evidence. `owner`: it could change
   * evidence (jml dev only). `embedded`: PGlite, which has no roles.
   */
  role: 'app' | 'owner' | 'embedded';
}

/**
 * The database of a long-running process. `jml server` and `jml worker` never migrate and never
 * hold the owner's credentials: they check the schema is current (else: run `jml migrate`) and
 * refuse to start as a role that could change or remove evidence. `jml dev` migrates (through
 * DATABASE_MIGRATION_URL when set) and may run as the owner. Embedded PGlite migrates in place.
 */
export async function openProcessDatabase(config: AppConfig, log: Logger, command: 'dev' | 'server' | 'worker', pgliteDir: string): Promise<ProcessDatabase> {
  const { DATABASE_URL: url, DATABASE_MIGRATION_URL: migrationUrl } = config.env;
  if (!url) {
    const db = await openDatabase({ dataDir: pgliteDir });
    await migrateLogged(db, log);
    if (command !== 'dev') log.warn('DATABASE_URL unset: embedded PGlite, where the process owns the evidence table; production runs on Postgres with an app role (see jml migrate)');
    return { db, role: 'embedded' };
  }
  if (command === 'dev' && migrationUrl) {
    const { applied, appRoleProblems } = await migrateAsOwner({ ownerUrl: migrationUrl, appUrl: url });
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    if (appRoleProblems.length > 0) log.warn({ problems: appRoleProblems }, "DATABASE_URL's role could change evidence");
  }
  if (command !== 'dev' && migrationUrl) {
    log.warn(`DATABASE_MIGRATION_URL is set, but jml ${command} does not migrate: run \`jml migrate\` apart, and keep the owner's credentials out of this process's environment`);
  }
  const db = await openDatabase({ url });
  try {
    if (command === 'dev' && !migrationUrl) await migrateLogged(db, log);
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      throw new ConfigError(
        `database: ${pending.length} migration(s) not applied (first ${pending[0]}): run \`jml migrate\` with DATABASE_MIGRATION_URL set to the owner role, then start jml ${command} again`,
      );
    }
    const problems = await evidenceTamperRights(db);
    if (problems.length > 0 && command !== 'dev') {
      throw new ConfigError(
        `env: DATABASE_URL: its role ${problems.join(', ')}, so it could change or remove evidence; jml ${command} runs as an app role that may only INSERT and SELECT evidence: connect as that role and run \`jml migrate\` with DATABASE_MIGRATION_URL as the owner (README: "Database roles")`,
      );
    }
    return { db, role: problems.length > 0 ? 'owner' : 'app' };
  } catch (err) {
    await db.close();
    throw err;
  }
}

async function migrateLogged(db: Database, log: Logger): Promise<void> {
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
}
