/**
 * The API process as `jml server` runs it (HTTP API and the inbox's hand-over to Temporal, the
 * production pool and hand-over settings), without a worker: the intake benchmark measures the
 * answer and the hand-over, and the workflows it starts wait on their task queue for a worker.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parseConfigFile, parseEnv, type AppConfig } from '../src/config/load';
import { openDatabase, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { createLogger } from '../src/log';
import { startApi, type RunningApi } from '../src/runtime/api';
import { createServices } from '../src/runtime/services';
import { dataConverterFor } from '../src/temporal/codec';
import { connectClient, temporalTarget } from '../src/temporal/connect';

export interface IntakeApi {
  url: string;
  db: Database;
  client: Client;
  taskQueue: string;
  api: RunningApi;
  close(): Promise<void>;
}

export async function startIntakeApi(options: { temporalAddress: string; secret: string; lanes?: number }): Promise<IntakeApi> {
  const taskQueue = `jml-bench-intake-${randomBytes(4).toString('hex')}`;
  const env = parseEnv({ PORT: '0', TEMPORAL_TASK_QUEUE: taskQueue, BAMBOOHR_WEBHOOK_SECRET: options.secret, LOG_LEVEL: 'silent' });
  // Systems are configured as for any engine; nothing calls them here.
  const yaml = 'systems:\n  - { id: okta, type: okta, baseUrl: "http://127.0.0.1:9", tokenEnv: OKTA_TOKEN }\n';
  const config: AppConfig = { env, file: parseConfigFile(yaml, 'bench.yaml'), secrets: { OKTA_TOKEN: 'unused' } };
  const url = process.env.DATABASE_URL;
  const schema = `bench_intake_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase(url ? { url, schema } : { schema });
  await migrate(db);
  const client = await connectClient(temporalTarget({ namespace: 'default' }, options.temporalAddress), dataConverterFor(env));
  const api = await startApi({ config, services: createServices(db, config), client, log: createLogger('silent'), host: '127.0.0.1', ...(options.lanes ? { intake: { lanes: options.lanes } } : {}) });
  return {
    url: api.url,
    db,
    client,
    taskQueue,
    api,
    async close() {
      await Promise.all(api.schedules.map((id) => client.schedule.getHandle(id).delete().catch(() => undefined)));
      await api.close();
      await client.connection.close();
      if (url) await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await db.close();
    },
  };
}
