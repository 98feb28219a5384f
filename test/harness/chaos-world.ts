import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { startSlackPeer, type SlackPeer } from '../peers/slack-peer';
import { bambooSecret } from './bamboohr';
import { jmlBin, JmlProcess, waitHealthy } from './jml-process';
import { startPgCluster, type PgCluster } from './pg-cluster';
import { slackBotToken, slackSigningSecret } from './slack';
import { startTargets, type Targets } from './targets';
import { auditorToken } from './test-engine';

export const securityChannel = '#sec-alerts';

export interface ChaosWorldOptions {
  label: string;
  /** `sla.leaverSessionKill` of the engine, e.g. "60s". */
  sessionKillSla?: string;
  workers?: number;
  /** Latency of every answer of the Okta and SCIM peers. */
  latencyMs?: number;
}

/**
 * The production path on this machine: `jml server` and `jml worker` processes (bin/jml.js,
 * configured by env and a jml.config.yaml in a temp dir), a Temporal dev server on its own
 * SQLite file, a private PostgreSQL cluster, and the target systems and Slack as local peers in
 * the test process. Each part can be killed and started again.
 */
export interface ChaosWorld {
  dir: string;
  url: string;
  /** The directory sink the workers publish signed evidence checkpoints to. */
  checkpointsDir: string;
  /** Runs a `jml` command with the engine's own env (the app role's database URL, the keys). */
  jml(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  pg: PgCluster;
  targets: Targets;
  slack: SlackPeer;
  server: JmlProcess;
  workers: JmlProcess[];
  /** The test's own reads of the engine's database. */
  db: pg.Pool;
  temporalAddress: string;
  /** SIGKILL the Temporal dev server. */
  killTemporal(): Promise<void>;
  /** Start it again on its database file and port. */
  startTemporal(): Promise<void>;
  startWorker(worker: JmlProcess): Promise<void>;
  close(): Promise<void>;
}

export async function startChaosWorld(options: ChaosWorldOptions): Promise<ChaosWorld> {
  const dir = await mkdtemp(join(tmpdir(), `jml-chaos-${options.label}-`));
  const cleanups: (() => Promise<unknown>)[] = [() => (process.env.CHAOS_KEEP ? Promise.resolve() : rm(dir, { recursive: true, force: true }))];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const cli = await resolveTemporalCli({ build: false });
    if (cli.source === 'sdk-download') throw new Error('the chaos suite needs the Temporal CLI (npx tsx scripts/ensure-temporal-cli.ts)');
    const [pgCluster, targets, slack, temporalPort, apiPort] = await Promise.all([
      startPgCluster(options.label),
      startTargets({ latencyMs: options.latencyMs ?? 0 }),
      startSlackPeer({ token: slackBotToken }),
      freePort(),
      freePort(),
    ]);
    cleanups.push(() => pgCluster.destroy(), () => targets.close(), () => slack.close());
    const temporalDb = join(dir, 'temporal.db');
    let temporal: DevServer | undefined;
    const startTemporal = async () => void (temporal = await startDevServer({ binary: cli.path, port: temporalPort, dbFile: temporalDb }));
    await startTemporal();
    cleanups.push(async () => temporal?.stop());

    // Workers load the workflow code bundled once (`jml bundle`), as a deployment would ship it.
    const bundle = join(dir, 'workflows.js');
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [jmlBin, 'bundle', '--out', bundle], { cwd: dir, timeout: 180_000 }, (err) => (err ? reject(err) : resolve())),
    );
    const configFile = join(dir, 'jml.config.yaml');
    const checkpointsDir = join(dir, 'checkpoints');
    await writeFile(
      configFile,
      [
        targets.systemsYaml,
        `sla: { leaverSessionKill: ${options.sessionKillSla ?? '60s'}, leaverFullRevoke: 15m, securityChannel: "${securityChannel}" }`,
        // As in production: the chain head signed and published outside the database.
        `evidence: { checkpointEvery: 2s, sinks: [{ type: directory, path: ${JSON.stringify(checkpointsDir)} }] }`,
        '',
      ].join('\n'),
    );
    // Production's two roles: jml_owner owns the database and runs `jml migrate`; the server and
    // workers connect as jml, which may only read and append evidence.
    const admin = new pg.Client({ connectionString: pgCluster.url });
    await admin.connect();
    try {
      await admin.query('CREATE ROLE jml_owner LOGIN');
      await admin.query('CREATE ROLE jml LOGIN');
      await admin.query('ALTER DATABASE jml OWNER TO jml_owner');
      await admin.query('ALTER SCHEMA public OWNER TO jml_owner');
      await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    } finally {
      await admin.end();
    }
    const urlAs = (role: string) => {
      const url = new URL(pgCluster.url);
      url.username = role;
      return url.toString();
    };
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [jmlBin, 'migrate'],
        { cwd: dir, timeout: 120_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_MIGRATION_URL: urlAs('jml_owner'), DATABASE_URL: urlAs('jml') } },
        (err, stdout, stderr) => (err ? reject(new Error(`jml migrate: ${stdout}${stderr}`)) : resolve()),
      ),
    );
    const env = {
      DATABASE_URL: urlAs('jml'),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'jml-chaos',
      JML_CONFIG: configFile,
      BAMBOOHR_WEBHOOK_SECRET: bambooSecret,
      SLACK_BOT_TOKEN: slackBotToken,
      SLACK_SIGNING_SECRET: slackSigningSecret,
      SLACK_API_URL: slack.url,
      JML_API_TOKENS: `auditor:${auditorToken}`,
      // As in production: payloads encrypted (the bundle above encodes failures for it).
      JML_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      JML_EVIDENCE_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      LOG_LEVEL: 'info',
      JML_WORKFLOW_BUNDLE: bundle,
      ...targets.secrets,
    };
    const server = new JmlProcess({ command: 'server', cwd: dir, env: { ...env, PORT: String(apiPort) }, logFile: join(dir, 'server.log') });
    const workers = Array.from({ length: options.workers ?? 2 }, (_, i) => new JmlProcess({ command: 'worker', cwd: dir, env: { ...env, PORT: '0', JML_METRICS_PORT: '0' }, logFile: join(dir, `worker-${i + 1}.log`) }));
    cleanups.push(() => server.close(), ...workers.map((w) => () => w.close()));
    const url = `http://127.0.0.1:${apiPort}`;
    const startWorker = async (worker: JmlProcess) => {
      worker.start();
      await worker.waitFor('jml worker running', 120_000);
    };
    server.start();
    await waitHealthy(`${url}/healthz`, 120_000, () => server.running);
    for (const worker of workers) await startWorker(worker);

    const db = new pg.Pool({ connectionString: pgCluster.url, max: 2 });
    db.on('error', () => undefined);
    cleanups.push(() => db.end());
    return {
      dir,
      url,
      checkpointsDir,
      jml: (args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(process.execPath, [jmlBin, ...args], { cwd: dir, timeout: 120_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } }, (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        ),
      pg: pgCluster,
      targets,
      slack,
      server,
      workers,
      db,
      temporalAddress: `127.0.0.1:${temporalPort}`,
      async killTemporal() {
        if (!temporal) return;
        process.kill(temporal.pid, 'SIGKILL');
        await temporal.stop();
        temporal = undefined;
      },
      startTemporal,
      startWorker,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
