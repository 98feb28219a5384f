import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAsOwner } from '../../src/db/owner-migrate';
import { freePort } from '../../src/temporal/dev-server';
import { createTestRoles, type TestRoles } from '../harness/db-roles';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';

/**
 * `jml server` as an operator starts it, with TEMPORAL_ADDRESS pointing at a port where nothing
 * listens: it starts, says it is degraded and why, and takes webhooks (stored for later).
 */
let dir: string;
let server: ChildProcess | undefined;
let url: string;
let stderr = '';
let roles: TestRoles | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-server-'));
  await writeFile(join(dir, 'jml.config.yaml'), 'sla: { leaverSessionKill: 60s }\n');
  const port = await freePort();
  const nothing = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    JML_CONFIG: join(dir, 'jml.config.yaml'),
    JML_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    TEMPORAL_ADDRESS: `127.0.0.1:${nothing}`,
    BAMBOOHR_WEBHOOK_SECRET: bambooSecret,
    JML_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  if (process.env.DATABASE_URL) {
    // As production runs it: migrated by the owner, the server connected as the app role.
    roles = await createTestRoles('srv');
    await migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl });
    env.DATABASE_URL = roles.appUrl;
  }
  server = spawn('node', ['bin/jml.js', 'server'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (server.exitCode !== null) throw new Error(`jml server exited: ${stderr}`);
    if (await fetch(`${url}/healthz`).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`jml server did not listen within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 90_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await roles?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('jml server with Temporal unreachable', () => {
  it('starts, reports degraded naming Temporal, and answers a webhook 202 once it is stored', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.status).toBe('degraded');
    expect(body.checks.database).toEqual({ ok: true });
    expect(body.checks.temporal?.ok).toBe(false);
    // A state, not the error's text (which names hosts).
    expect(body.checks.temporal).toEqual({ ok: false, state: expect.stringMatching(/^(failing|timeout)$/) });

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await postBambooWebhook(url, terminationDelivery('7001', 'no.temporal@acme.test', yesterday));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, events: [{ employeeId: '7001', kind: 'terminate', status: 'received' }] });
    expect(server?.exitCode).toBeNull();
  });
});
