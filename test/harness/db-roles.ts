import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Real, cluster-wide roles for one test on DATABASE_URL's server, as production has them: an
 * owner (owns a fresh schema, runs the migrations) and an app role (LOGIN, owns nothing). Names
 * are unique per call; drop() removes the schema and both roles. URLs set the search_path.
 */
export interface TestRoles {
  schema: string;
  owner: string;
  app: string;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

export async function createTestRoles(label: string, adminUrl = process.env.DATABASE_URL): Promise<TestRoles> {
  if (!adminUrl) throw new Error('real roles need Postgres (DATABASE_URL)');
  const suffix = `${label.replace(/[^a-z0-9_]/g, '_').slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  const [schema, owner, app] = [`s_${suffix}`, `jml_owner_${suffix}`, `jml_app_${suffix}`];
  await asAdmin(adminUrl, [
    `CREATE ROLE ${owner} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB`,
    `CREATE ROLE ${app} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB`,
    `CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`,
  ]);
  const urlAs = (role: string) => {
    const url = new URL(adminUrl);
    url.username = role;
    url.password = '';
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };
  return {
    schema,
    owner,
    app,
    ownerUrl: urlAs(owner),
    appUrl: urlAs(app),
    drop: () =>
      asAdmin(adminUrl, [
        // Sessions still open as either role would keep DROP ROLE from succeeding.
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN ('${owner}', '${app}') AND pid <> pg_backend_pid()`,
        `DROP SCHEMA IF EXISTS ${schema} CASCADE`,
        `DROP OWNED BY ${app}, ${owner}`,
        `DROP ROLE IF EXISTS ${app}`,
        `DROP ROLE IF EXISTS ${owner}`,
      ]),
  };
}

async function asAdmin(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}
