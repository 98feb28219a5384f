import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';

/**
 * A migrated database of the test's own: a fresh schema on DATABASE_URL's server when it is
 * set, otherwise an in-memory PGlite. Each call gives an isolated one, so files run in parallel.
 */
export async function openTestDatabase(label = 't'): Promise<Database> {
  const schema = `${label.replace(/[^a-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(5).toString('hex')}`;
  const db = await openDatabase({ url: process.env.DATABASE_URL, schema, poolSize: 4 });
  await migrate(db);
  return db;
}
