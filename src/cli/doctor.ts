/**
 * `jml doctor`: the configuration (it loads, or the one line saying what is wrong), the database,
 * and every configured system: reachable, credentials accepted, the permissions the engine needs
 * granted. One line per check; exit 0 when all pass, 1 otherwise.
 */
import { loadConfig } from '../config/load';
import { descriptorOf } from '../connectors/catalog';
import { checkSystem } from '../connectors/health';
import { createConnectors } from '../connectors/registry';
import { openDatabase } from '../db/database';
import { pendingMigrations } from '../db/migrate';
import { evidenceTamperRights } from '../db/role-check';

export async function runDoctor(print: (line: string) => void): Promise<number> {
  const config = await loadConfig();
  print(`ok    config: ${config.env.JML_CONFIG} (${config.file.systems.length} system(s))`);
  let failures = 0;

  const url = config.env.DATABASE_URL;
  if (!url) print('ok    database: embedded (DATABASE_URL unset; jml dev only)');
  else {
    try {
      const db = await openDatabase({ url });
      try {
        await db.query('SELECT 1');
        print('ok    database: connected');
        const pending = await pendingMigrations(db);
        if (pending.length > 0) {
          failures++;
          print(`FAIL  database: ${pending.length} migration(s) not applied (first ${pending[0]}): run \`jml migrate\``);
        } else {
          const problems = await evidenceTamperRights(db);
          if (problems.length > 0) failures++;
          print(
            problems.length > 0
              ? `FAIL  database: DATABASE_URL's role ${problems.join(', ')}, so it could change evidence: jml server and jml worker refuse it`
              : 'ok    database: schema current; the role may only read and append evidence',
          );
        }
      } finally {
        await db.close();
      }
    } catch (err) {
      failures++;
      print(`FAIL  database: ${(err as Error).message}`);
    }
  }

  const connectors = createConnectors(config.file.systems, config.secrets);
  const results = await Promise.all([...connectors.values()].map((connector) => checkSystem(connector)));
  for (const health of results) {
    const limits = descriptorOf(health.type)?.limits.documented;
    if (health.problems.length === 0) print(`ok    ${health.system} (${health.type}) ${health.location}${limits ? `; vendor limits: ${limits}` : ''}`);
    for (const problem of health.problems) print(`FAIL  ${problem}`);
    if (health.problems.length > 0) failures++;
  }
  if (config.file.systems.length === 0) print('note  no systems configured (systems: in the config file)');
  return failures === 0 ? 0 : 1;
}
