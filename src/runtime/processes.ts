import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/load';
import type { Logger } from '../log';
import { resolveTemporalCli } from '../temporal/cli-path';
import { dataConverterFor } from '../temporal/codec';
import { connectClient, connectWorker, lazyClient, temporalTarget, type TemporalTarget } from '../temporal/connect';
import { startDevServer } from '../temporal/dev-server';
import { startApi } from './api';
import { startMetricsServer } from '../metrics/metrics-server';
import type { Sandbox } from '../sandbox/sandbox';
import type { Tracing } from '../tracing/tracing';
import { adminDigestFor } from '../notifications/digest-from-config';
import { activityDeps, openServices, type Services } from './services';
import type { ProcessDatabase } from './database-setup';
import { holdDevLock } from './dev-lock';
import { startWorker } from './worker';
import { prebuiltWorkflowBundle, runningBuild } from './bundle';
import { payloadMode, productionPayloadMode } from './payload-mode';
import { systemBudgets } from './system-workers';
import { startWorkerCensus } from './worker-census';
import { checkpointPublisherFor } from '../evidence/checkpoints/from-config';

export type Stop = () => Promise<void>;

/** JML_WORKFLOW_BUNDLE, else the production build's own bundle when running it, else none (bundled at start-up). */
function workflowBundleOf(config: AppConfig): string | undefined {
  return config.env.JML_WORKFLOW_BUNDLE ?? prebuiltWorkflowBundle;
}

/**
 * `jml server`: the HTTP API against configured Temporal and Postgres. It needs the database to
 * start; Temporal it does not: webhooks are stored and handed over once Temporal answers.
 */
export async function runServer(config: AppConfig, log: Logger): Promise<Stop> {
  productionPayloadMode(config.env, 'server', log);
  const services = await openServices(config, log, 'server');
  const target = temporalTarget({ namespace: config.env.TEMPORAL_NAMESPACE });
  const client = lazyClient(target, dataConverterFor(config.env));
  const api = await startApi({ config, services, client, log });
  log.info({ url: api.url, temporal: target.address, namespace: target.namespace }, 'jml server listening');
  return async () => {
    await api.close();
    await client.connection.close();
    await services.close();
  };
}

/** `jml worker`: runs workflows and activities; scale by running more of these. */
export async function runWorker(config: AppConfig, log: Logger, telemetry: { sdkMetrics?: () => Promise<string>; tracing?: Tracing } = {}): Promise<Stop> {
  productionPayloadMode(config.env, 'worker', log);
  const services = await openServices(config, log, 'worker');
  const target = temporalTarget({ namespace: config.env.TEMPORAL_NAMESPACE });
  // A worker that cannot start (a refused bundle, say) lets go of the database, so the process exits.
  const stopWorker = await workerOn(target, config, services, log, telemetry.tracing).catch(async (err: unknown) => {
    await services.close();
    throw err;
  });
  // Offboarding never waits on observability: a metrics port in use is an error to fix, not a reason to stop.
  const metrics = await startMetricsServer({ metrics: services.metrics, port: config.env.JML_METRICS_PORT, ...(telemetry.sdkMetrics ? { sdkMetrics: telemetry.sdkMetrics } : {}) }).catch((err: unknown) => {
    log.error({ port: config.env.JML_METRICS_PORT, code: (err as { code?: string }).code }, 'worker metrics not served (JML_METRICS_PORT in use? give each worker on a host its own, or 0); the worker runs on');
    return undefined;
  });
  log.info(
    { temporal: target.address, taskQueue: config.env.TEMPORAL_TASK_QUEUE, metrics: metrics?.url ?? 'not served', code: runningBuild ? 'dist' : 'sources', workflowBundle: workflowBundleOf(config) ?? 'bundled at start-up' },
    'jml worker running',
  );
  return async () => {
    await metrics?.close();
    await stopWorker();
    await services.close();
  };
}

/** A worker on its own connection; the returned function drains it and closes the connection. */
async function workerOn(target: TemporalTarget, config: AppConfig, services: Services, log: Logger, tracing?: Tracing): Promise<Stop> {
  // Before anything else starts: a bad sink or a missing key stops the process here. Every
  // worker runs one; each new chain head is signed once, by whichever gets there first.
  const checkpoints = checkpointPublisherFor(config, { db: services.db, slack: services.slack, log });
  const connection = await connectWorker(target).catch(async (err: unknown) => {
    await checkpoints?.stop();
    throw err;
  });
  const worker = await startWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    deps: activityDeps(config, services, log),
    dataConverter: dataConverterFor(config.env),
    budgets: systemBudgets(config.file.systems),
    ...(tracing ? { tracing } : {}),
    ...(workflowBundleOf(config) ? { workflowBundlePath: workflowBundleOf(config)! } : {}),
  }).catch(async (err: unknown) => {
    await checkpoints?.stop();
    await connection.close();
    throw err;
  });
  // Every worker process holds its share of each system's configured limits.
  const census = startWorkerCensus({ db: services.db, shared: services.pacers, log });
  const digest = adminDigestFor(config, services, log, `worker ${process.pid}@${hostname()}`);
  return async () => {
    await worker.stop();
    // After the worker drained, so its last changes are in the last message.
    await digest?.stop();
    // After the worker drained, so its last evidence is signed too.
    await checkpoints?.stop();
    await census.stop();
    await connection.close();
  };
}

/**
 * `jml dev`: API and worker in one process; an embedded Temporal dev server when
 * TEMPORAL_ADDRESS is unset and an embedded PGlite when DATABASE_URL is unset, both under .jml/.
 */
export async function runDev(
  config: AppConfig,
  log: Logger,
  print: (line: string) => void,
  extras: { sdkMetrics?: () => Promise<string>; tracing?: Tracing; sandbox?: Pick<Sandbox, 'notice' | 'close'> } = {},
): Promise<Stop> {
  const { sandbox, tracing, ...telemetry } = extras;
  const encrypted = payloadMode(config.env, 'dev') === 'encrypted';
  const stateDir = config.env.JML_DATA_DIR;
  await mkdir(stateDir, { recursive: true });
  const releaseLock = await holdDevLock(stateDir);
  let stopTemporal: Stop = async () => undefined;
  let address: string | undefined;
  let uiUrl: string | undefined;
  if (!process.env.TEMPORAL_ADDRESS) {
    const cli = await resolveTemporalCli({ log: (line) => print(line) });
    if (cli.source === 'sdk-download') throw new Error('no Temporal CLI found and go is not installed: set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS');
    // With encryption on, the embedded UI decodes through our codec endpoint (open to this machine in dev).
    const uiCodecEndpoint = encrypted && config.env.PORT ? `http://127.0.0.1:${config.env.PORT}/codec` : undefined;
    const server = await startDevServer({
      binary: cli.path,
      port: config.env.JML_DEV_TEMPORAL_PORT,
      uiPort: config.env.JML_DEV_UI_PORT,
      headless: false,
      dbFile: join(stateDir, 'temporal.db'),
      // A server left running by a run that was killed outright is stopped first.
      pidFile: join(stateDir, 'temporal.pid'),
      uiCodecEndpoint,
    });
    ({ address, uiUrl } = server);
    stopTemporal = server.stop;
  }
  const services = await openServices(config, log, 'dev', { pgliteDir: join(stateDir, 'pgdata') });
  const target = temporalTarget({ namespace: config.env.TEMPORAL_NAMESPACE }, address);
  const client = await connectClient(target, dataConverterFor(config.env));
  const stopWorker = await workerOn(target, config, services, log, tracing);
  const api = await startApi({ config, services, client, log, codecOpenOnLoopback: true, ...telemetry, ...(uiUrl ? { temporalUiUrl: uiUrl } : {}) });
  print(`jml dev is running`);
  print(`  API           ${api.url}  (POST /webhooks/bamboohr, GET /healthz, /metrics)`);
  print(`  Temporal      ${target.address}${address ? ` (embedded dev server, state in ${join(stateDir, 'temporal.db')})` : ''}`);
  if (uiUrl) print(`  Temporal UI   ${uiUrl}`);
  print(`  Console       ${api.url}/console  (sign in with an auditor or admin API token)`);
  if (encrypted) print(`  Codec         ${api.url}/codec  (payloads encrypted; no token needed from this machine in dev)`);
  else print(`  Payloads      stored in clear in Temporal (set JML_ENCRYPTION_KEY to encrypt them)`);
  print(`  Database      ${databaseNotice(services.databaseRole, join(stateDir, 'pgdata'))}`);
  print(`  Systems       ${[...services.connectors.keys()].join(', ') || 'none configured (see jml.config.example.yaml)'}`);
  for (const line of sandbox?.notice ?? []) print(line);
  print(`Press Ctrl-C to stop.`);
  return async () => {
    await api.close();
    await stopWorker();
    await client.connection.close();
    await services.close();
    await stopTemporal();
    await sandbox?.close();
    await releaseLock();
  };
}

function databaseNotice(role: ProcessDatabase['role'], pgliteDir: string): string {
  if (role === 'embedded') return `embedded PGlite in ${pgliteDir} (the process owns the evidence table: dev only)`;
  if (role === 'owner') return 'DATABASE_URL, as a role that could change evidence (dev only: jml server and jml worker refuse it; see jml migrate)';
  return 'DATABASE_URL, as an app role that may only read and append evidence';
}
