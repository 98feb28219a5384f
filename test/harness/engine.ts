import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type LogEntry, type NativeConnection } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { parseConfigFile, parseEnv, type AppConfig } from '../../src/config/load';
import type { Database } from '../../src/db/database';
import { createLogger } from '../../src/log';
import { startApi, type IntakeOptions, type RunningApi } from '../../src/runtime/api';
import { activityDeps, createServices, type Services } from '../../src/runtime/services';
import { startWorker, type RunningWorker } from '../../src/runtime/worker';
import { systemBudgets } from '../../src/runtime/system-workers';
import { dataConverterFor } from '../../src/temporal/codec';
import { connectClient, connectWorker, temporalTarget } from '../../src/temporal/connect';
import { loopbackBindAddress, sdkMetricsReader, sdkPrometheus } from '../../src/metrics/sdk-metrics';
import { adminDigestFor } from '../../src/notifications/digest-from-config';
import type { Tracing } from '../../src/tracing/tracing';
import { openTestDatabase } from './db';

export interface TestEngine {
  url: string;
  config: AppConfig;
  services: Services;
  db: Database;
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

/** Listeners to every entry the SDK logs in this process (warnings and above unless TEST_SDK_LOG_LEVEL says otherwise). */
export const sdkLogListeners = new Set<(entry: LogEntry) => void>();

/** The SDK's worker series of this test process, as /metrics adds them (src/metrics/sdk-metrics.ts). */
const sdkMetricsBind = await loopbackBindAddress();

// Keep the SDK's own logs to warnings so test output stays readable.
Runtime.install({
  telemetryOptions: { metrics: sdkPrometheus(sdkMetricsBind) },
  logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN', (entry) => {
    for (const listener of sdkLogListeners) listener(entry);
    // The system workers have no workflows, by design (src/runtime/system-workers.ts).
    if (entry.message.startsWith('No workflows registered')) return;
    console.error(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}`, entry.meta ?? '');
  }),
});

export const auditorToken = 'auditor-token-0123456789';
export const adminToken = 'admin-token-0123456789ab';

export interface EngineOptions {
  yaml: string;
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  /** How the API hands stored events over (shorter backoffs for outage tests). */
  intake?: IntakeOptions;
  /** Where the engine's log lines go (default stderr, at TEST_LOG_LEVEL or silent). */
  logDestination?: DestinationStream;
  /** Another engine's task queue and database: a second worker process of the same deployment. */
  joining?: { taskQueue: string; db: Database };
  /** A migrated database of the test's own (e.g. opened as an app role) instead of a fresh schema; the test closes it. */
  db?: Database;
  /** Where the worker's workflow and activity spans go (src/tracing); the test started it. */
  tracing?: Tracing;
}

/**
 * The real engine (API + worker, wired as `jml dev` wires them) on a given Temporal server,
 * with its own task queue and database schema, configured from YAML text and env.
 */
export async function startEngine(options: EngineOptions & { temporalAddress: string; workflowBundlePath?: string }): Promise<TestEngine> {
  const taskQueue = options.joining?.taskQueue ?? `jml-test-${randomBytes(5).toString('hex')}`;
  const env = parseEnv({
    PORT: '0',
    TEMPORAL_TASK_QUEUE: taskQueue,
    JML_API_TOKENS: `auditor:${auditorToken},admin:${adminToken}`,
    // Tests that send many bad tokens or signatures on purpose (fuzzing) are not one attacker.
    JML_AUTH_FAILURE_LIMIT: '1000000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const file = parseConfigFile(options.yaml, 'test.yaml');
  const config: AppConfig = { env, file, secrets: options.secrets ?? {} };
  const log = createLogger(env.LOG_LEVEL, options.logDestination);
  const db = options.joining?.db ?? options.db ?? (await openTestDatabase('engine'));
  const ownDb = !options.joining && !options.db;
  const services = createServices(db, config);
  const target = temporalTarget({ namespace: 'default' }, options.temporalAddress);
  const client = await connectClient(target, dataConverterFor(env));
  let connection: NativeConnection | undefined;
  let worker: RunningWorker | undefined;
  let api: RunningApi | undefined;
  try {
    connection = await connectWorker(target);
    worker = await startWorker({
      connection,
      namespace: target.namespace,
      taskQueue,
      deps: activityDeps(config, services, log),
      budgets: systemBudgets(config.file.systems),
      // Engines of one test share a process: each names itself in histories.
      identity: `${process.pid}@engine-${randomBytes(3).toString('hex')}`,
      workflowBundlePath: options.workflowBundlePath,
      dataConverter: dataConverterFor(env),
      ...(options.tracing ? { tracing: options.tracing } : {}),
    });
    api = await startApi({ config, services, client, log, host: '127.0.0.1', intake: options.intake, sdkMetrics: sdkMetricsReader(sdkMetricsBind) });
    // Temporal is up here: tests may look at the schedules at once.
    await api.schedulesReady;
  } catch (err) {
    await worker?.stop();
    await connection?.close();
    await client.connection.close();
    if (ownDb) await db.close();
    throw err;
  }
  // As jml worker runs it (src/runtime/processes.ts).
  const digest = adminDigestFor(config, services, log, `engine ${taskQueue}`);
  const started = { api, worker, connection };
  return {
    url: started.api.url,
    config,
    services,
    db,
    client,
    taskQueue,
    async close() {
      // Schedules outlive processes by design; a test's own go with it (the server is shared).
      await Promise.all(started.api.schedules.map((id) => client.schedule.getHandle(id).delete().catch(() => undefined)));
      await started.api.close();
      await started.worker.stop();
      await digest?.stop();
      await started.connection.close();
      await client.connection.close();
      if (ownDb) await db.close();
    },
  };
}
