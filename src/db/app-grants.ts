import type { Queryable } from './database';

type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * What the app role (DATABASE_URL's) may do on each table, and nothing more: evidence is only
 * read and appended. Every table of the schema must be listed, so a new table cannot ship
 * without a deliberate answer; `jml migrate` re-applies this on every run.
 */
export const appTablePrivileges: Readonly<Record<string, readonly TablePrivilege[]>> = {
  evidence_events: ['SELECT', 'INSERT'],
  // Signed chain heads, append-only like evidence: the sinks hold the copies that prove it.
  evidence_checkpoints: ['SELECT', 'INSERT'],
  // How far each sink has been given the checkpoints, and which worker is giving them now.
  evidence_checkpoint_deliveries: ['SELECT', 'INSERT', 'UPDATE'],
  // What `jml evidence prune` (the owner) removed past retention: where verification starts.
  evidence_pruned: ['SELECT'],
  hr_inbox: ['SELECT', 'INSERT', 'UPDATE'],
  approvals: ['SELECT', 'INSERT', 'UPDATE'],
  hris_watermarks: ['SELECT', 'INSERT', 'UPDATE'],
  // Rows of stopped or vanished worker processes are removed.
  worker_census: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // UPDATE also covers the row lock (SELECT ... FOR UPDATE) that serialises counting.
  leaver_guard_sources: ['SELECT', 'INSERT', 'UPDATE'],
  leaver_holds: ['SELECT', 'INSERT', 'UPDATE'],
  leaver_arrivals: ['SELECT', 'INSERT'],
  orphan_accounts: ['SELECT', 'INSERT', 'UPDATE'],
  orphan_runs: ['SELECT', 'INSERT', 'UPDATE'],
  // Derived from evidence and rebuilt from it: kept rows are replaced as runs write again.
  offboarding_report_runs: ['SELECT', 'INSERT', 'UPDATE'],
  offboarding_report_watermark: ['SELECT', 'INSERT', 'UPDATE'],
  // Access reviews: campaigns and items are updated as they are decided; exceptions replaced by a later campaign's.
  review_campaigns: ['SELECT', 'INSERT', 'UPDATE'],
  review_items: ['SELECT', 'INSERT', 'UPDATE'],
  review_exceptions: ['SELECT', 'INSERT', 'UPDATE'],
  review_messages: ['SELECT', 'INSERT', 'UPDATE'],
  review_workers: ['SELECT', 'INSERT'],
  // Read at start-up to check the schema is current; only `jml migrate` writes it.
  jml_migrations: ['SELECT'],
};

export interface AppGrants {
  role: string;
  schema: string;
  tables: { table: string; privileges: readonly TablePrivilege[] }[];
  sequences: string[];
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Gives `role` exactly appTablePrivileges on the current schema's tables (anything else it held
 * there is revoked first), USAGE on the schema and on the sequences of tables it inserts into.
 * Run by the owner, in the migration's transaction, so it is all or nothing.
 */
export async function grantAppRole(tx: Queryable, role: string): Promise<AppGrants> {
  const who = await tx.query<{ exists: boolean; self: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists, $1 = current_user AS self`,
    [role],
  );
  if (!who.rows[0]!.exists) throw new Error(`app role "${role}" does not exist: create it (LOGIN, no ownership) first`);
  // Revoking "everything else" from the owner itself would take its own tables from it.
  if (who.rows[0]!.self) throw new Error(`app role "${role}" is the role running the migrations: give the app a role of its own`);
  const schema = (await tx.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]!.schema;
  const tables = (
    await tx.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition ORDER BY 1`,
      [schema],
    )
  ).rows.map((r) => r.name);
  const unlisted = tables.filter((t) => !(t in appTablePrivileges));
  if (unlisted.length > 0) throw new Error(`no app-role privileges defined for table(s) ${unlisted.join(', ')}: add them to appTablePrivileges`);

  const quotedRole = ident(role);
  await tx.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${quotedRole}`);
  const granted: AppGrants['tables'] = [];
  for (const table of tables) {
    const privileges = appTablePrivileges[table]!;
    const target = `${ident(schema)}.${ident(table)}`;
    await tx.query(`REVOKE ALL ON TABLE ${target} FROM ${quotedRole}`);
    if (privileges.length > 0) await tx.query(`GRANT ${privileges.join(', ')} ON TABLE ${target} TO ${quotedRole}`);
    granted.push({ table, privileges });
  }
  // Partitions are reached through their table alone: nothing on them directly, and the one
  // function the app may call about them makes the coming months' (see 017).
  const partitions = await tx.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relispartition AND c.relkind IN ('r', 'p') ORDER BY 1`,
    [schema],
  );
  for (const { name } of partitions.rows) await tx.query(`REVOKE ALL ON TABLE ${ident(schema)}.${ident(name)} FROM ${quotedRole}`);
  await tx.query(`GRANT EXECUTE ON FUNCTION ${ident(schema)}.evidence_events_add_upcoming_partitions() TO ${quotedRole}`);

  // Sequences behind serial and identity columns: nextval needs USAGE where the app inserts.
  const sequences = await tx.query<{ sequence: string; table: string }>(
    `SELECT s.relname AS sequence, t.relname AS table
       FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
      WHERE n.nspname = $1 AND s.relkind = 'S' ORDER BY 1`,
    [schema],
  );
  const usable: string[] = [];
  for (const { sequence, table } of sequences.rows) {
    const target = `${ident(schema)}.${ident(sequence)}`;
    await tx.query(`REVOKE ALL ON SEQUENCE ${target} FROM ${quotedRole}`);
    if (table && appTablePrivileges[table]?.includes('INSERT')) {
      await tx.query(`GRANT USAGE ON SEQUENCE ${target} TO ${quotedRole}`);
      usable.push(sequence);
    }
  }
  return { role, schema, tables: granted, sequences: usable };
}
