import type { Queryable } from './database';

/**
 * Why a role could change or remove evidence, as short reasons (empty: it cannot). Checked for
 * DATABASE_URL's role by `jml server` and `jml worker` before they start, and by `jml migrate`
 * for the role it grants. Any one of these lets it edit, delete or truncate rows, or switch off
 * the triggers that refuse that: being a superuser; owning evidence_events (or being a member of
 * its owner); owning its schema or the database (a schema's owner may drop it with everything in
 * it); CREATEROLE (it may create or grant itself into stronger roles); or holding UPDATE,
 * DELETE, TRUNCATE or TRIGGER on the table or on one of its monthly partitions.
 */
export async function evidenceTamperRights(db: Queryable, role?: string): Promise<string[]> {
  const result = await db.query<{
    found: boolean;
    superuser: boolean;
    createrole: boolean;
    table_owner: boolean;
    schema_owner: boolean;
    database_owner: boolean;
    rights: string[];
  }>(
    `WITH r AS (SELECT oid, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = coalesce($1::name, current_user)),
          t AS (SELECT c.oid, c.relowner, n.nspowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = to_regclass('evidence_events'))
     SELECT (SELECT count(*) FROM t) = 1 AS found,
            r.rolsuper AS superuser,
            r.rolcreaterole AS createrole,
            coalesce((SELECT pg_has_role(r.oid, t.relowner, 'MEMBER') FROM t), false) AS table_owner,
            coalesce((SELECT pg_has_role(r.oid, t.nspowner, 'MEMBER') FROM t), false) AS schema_owner,
            pg_has_role(r.oid, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER') AS database_owner,
            coalesce((SELECT array_agg(p) FROM t, unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER']) AS p
                       WHERE has_table_privilege(r.oid, t.oid, p)
                          OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = t.oid AND has_table_privilege(r.oid, i.inhrelid, p))), '{}') AS rights
       FROM r`,
    [role ?? null],
  );
  const row = result.rows[0];
  if (!row) throw new Error('the database role to check does not exist');
  if (!row.found) throw new Error('evidence_events not found on the search path: run `jml migrate` first');
  const reasons: string[] = [];
  if (row.superuser) reasons.push('is a superuser');
  if (row.table_owner) reasons.push('owns evidence_events');
  if (row.schema_owner && !row.table_owner) reasons.push("owns evidence_events' schema");
  if (row.database_owner) reasons.push('owns the database');
  if (row.createrole) reasons.push('has CREATEROLE');
  // A superuser or an owner holds every right implicitly; name the rights only when granted.
  if (!row.superuser && !row.table_owner && row.rights.length > 0) reasons.push(`holds ${row.rights.join(', ')} on evidence_events`);
  return reasons;
}
