import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';

/**
 * A migrated database of the test's own: a fresh schema on DATABASE_URL's server when it is
 * set, otherwise an in-memory PGlite. Each call gives an isolated one, so files run in parallel.
 */
export function openTestDatabase(label = 't'): Promise<Database> {
  return openTestDatabaseOn(process.env.DATABASE_URL ? 'postgres' : 'pglite', label);
}

/** The databases a test can run on here: always PGlite, and Postgres when DATABASE_URL is set. */
export const testEngines: readonly ('postgres' | 'pglite')[] = process.env.DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];

/** A migrated database of the test's own on the engine named (Postgres needs DATABASE_URL). */
export async function openTestDatabaseOn(engine: 'postgres' | 'pglite', label = 't'): Promise<Database> {
  if (engine === 'postgres' && !process.env.DATABASE_URL) throw new Error('Postgres tests need DATABASE_URL');
  const db = await openDatabase({ ...(engine === 'postgres' ? { url: process.env.DATABASE_URL } : {}), schema: schemaFor(label), poolSize: 4 });
  await migrate(db);
  return db;
}

/**
 * `count` handles on one fresh, migrated schema of DATABASE_URL's server, each with its own
 * connection pool: what separate worker processes sharing one database look like to it.
 */
export async function openSharedTestDatabases(label: string, count: number): Promise<Database[]> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('several processes on one database need DATABASE_URL (PGlite has one connection)');
  const schema = schemaFor(label);
  const dbs: Database[] = [];
  for (let i = 0; i < count; i++) dbs.push(await openDatabase({ url, schema, poolSize: 4 }));
  await migrate(dbs[0]!);
  return dbs;
}

function schemaFor(label: string): string {
  return `${label.replace(/[^a-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(5).toString('hex')}`;
}
