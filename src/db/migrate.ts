import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { grantAppRole, type AppGrants } from './app-grants';
import type { Database, Queryable } from './database';

/** The migration that partitions evidence by month. */
const partitioned = '017_evidence_partitions.sql';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

async function migrationFiles(): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

export interface MigrateOptions {
  /** The role the app connects as (DATABASE_URL's): given exactly its privileges afterwards. */
  appRole?: string;
  /** Called with what the app role was granted. */
  onGrants?: (grants: AppGrants) => void;
  /** Apply migrations up to and including this file only (tests of upgrading a schema as it was). */
  through?: string;
}

/**
 * Applies every migrations/NNN_name.sql not yet applied, in name order, in one transaction,
 * makes the evidence partitions of the coming months, then (given an app role) re-applies that
 * role's privileges, so tables added later get theirs.
 * An advisory lock keeps two processes starting together from racing.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  const files = await migrationFiles();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727274)');
    await tx.query(`CREATE TABLE IF NOT EXISTS jml_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM jml_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      if (options.through !== undefined && file > options.through) break;
      const sql = await readFile(migrationsDir + file, 'utf8');
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO jml_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    // Evidence partitions for this month and the next two, made ahead on every run (see 017).
    if (done.has(partitioned) || applied.includes(partitioned)) await tx.query('SELECT evidence_events_add_partitions(now(), 3)');
    if (options.appRole !== undefined) {
      const grants = await grantAppRole(tx, options.appRole);
      options.onGrants?.(grants);
    }
    return applied;
  });
}

/** Migrations not applied yet (all of them when the database was never migrated); reads only. */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const files = await migrationFiles();
  const table = await db.query<{ found: boolean }>(`SELECT to_regclass('jml_migrations') IS NOT NULL AS found`);
  if (!table.rows[0]?.found) return files;
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM jml_migrations')).rows.map((r) => r.name));
  return files.filter((f) => !done.has(f));
}

/** Splits on semicolons outside $$-quoted bodies, so functions and triggers survive. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (line.trim().startsWith('--') && !inDollar) continue;
    current += line + '\n';
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar;
    if (!inDollar && line.trimEnd().endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
