import { parseEnv } from '../config/load';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrate';
import { migrateAsOwner } from '../db/owner-migrate';
import { devLockHolder } from '../runtime/dev-lock';
import { UsageError } from './args';

/**
 * `jml migrate [--app-role ROLE]`: applies the migrations as the owner (DATABASE_MIGRATION_URL,
 * else DATABASE_URL, else the embedded PGlite), then grants the app role (ROLE, else
 * DATABASE_URL's user when it is not the owner) exactly what it needs. Exit 1 when the app role
 * could still change evidence: jml server and jml worker would refuse it.
 */
export async function runMigrate(appRole: string | undefined, print: (line: string) => void): Promise<number> {
  // Env only: migrating needs neither the policy file nor the connectors' secrets.
  const env = parseEnv(process.env);
  const ownerUrl = env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL;
  if (!ownerUrl) {
    if (appRole !== undefined) throw new UsageError('--app-role needs a Postgres database (DATABASE_MIGRATION_URL or DATABASE_URL)');
    const holder = await devLockHolder(env.JML_DATA_DIR);
    if (holder !== undefined) throw new UsageError(`jml dev (pid ${holder}) holds the embedded database; it migrates it itself`);
    const db = await openDatabase({ dataDir: `${env.JML_DATA_DIR}/pgdata` });
    try {
      printApplied(await migrate(db), print);
      print('embedded PGlite: no roles to grant (jml dev only)');
    } finally {
      await db.close();
    }
    return 0;
  }
  const result = await migrateAsOwner({
    ownerUrl,
    ...(env.DATABASE_MIGRATION_URL && env.DATABASE_URL ? { appUrl: env.DATABASE_URL } : {}),
    ...(appRole !== undefined ? { appRole } : {}),
  });
  printApplied(result.applied, print);
  if (!result.grants) {
    print('no app role granted: the app would connect as the owner, which jml server and jml worker refuse; set DATABASE_MIGRATION_URL to the owner and DATABASE_URL to the app role, or give --app-role');
    return 0;
  }
  const { role, schema, tables } = result.grants;
  print(`app role "${role}" on schema ${schema}: ${tables.map((t) => `${t.table} ${t.privileges.join('/') || 'none'}`).join(', ')}`);
  if (result.appRoleProblems.length > 0) {
    print(`app role "${role}" ${result.appRoleProblems.join(', ')}, so it could change or remove evidence: jml server and jml worker will refuse it (README: "Database roles")`);
    return 1;
  }
  print(`app role "${role}" may only read and append evidence`);
  return 0;
}

function printApplied(applied: string[], print: (line: string) => void): void {
  print(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema current: no migrations to apply');
}
