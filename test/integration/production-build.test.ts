import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateAsOwner } from '../../src/db/owner-migrate';
import { freePort } from '../../src/temporal/dev-server';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { createTestRoles, type TestRoles } from '../harness/db-roles';
import { JmlProcess } from '../harness/jml-process';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

/** `npm run build`, then the compiled server and worker as the production image runs them. */
const run = (cmd: string, args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) =>
    execFile(cmd, args, { maxBuffer: 10_000_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr })),
  );

let built: { code: number; output: string };
beforeAll(async () => {
  built = await run('npm', ['run', 'build']);
}, 180_000);

describe('npm run build', () => {
  it('compiles the CLI, the failure converter, the migrations, the console assets and the workflow bundle into dist/', async () => {
    expect(built.code, built.output).toBe(0);
    expect(built.output).toMatch(/built dist\/: jml\.mjs, failure-converter\.cjs, migrations\/, assets\/, workflows\.bundle\.js \(\d+ bytes\)/);
    expect(await readFile('dist/assets/console.js', 'utf8')).toBe(await readFile('src/console/assets/console.js', 'utf8'));
    const bundle = await readFile('dist/workflows.bundle.js', 'utf8');
    expect(bundle).toContain('jml-workflow-bundle: failure attributes encoded');
  });

  it('imports nothing at run time but Node built-ins and production dependencies', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const code = (await readFile('dist/jml.mjs', 'utf8')) + (await readFile('dist/failure-converter.cjs', 'utf8'));
    // Bare specifiers of import statements, dynamic imports and requires (a package name, a subpath, or node:x).
    const specifiers = new Set([...code.matchAll(/(?:\bfrom\s*|\bimport\(\s*|\brequire\(\s*)["']((?:@[\w.-]+\/)?[\w:-][\w.:-]*(?:\/[\w.-]+)*)["']/g)].map((m) => m[1]!));
    expect(specifiers.size).toBeGreaterThan(10);
    const packageOf = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    const builtins = new Set(builtinModules);
    const outside = [...specifiers].filter((s) => !s.startsWith('node:') && !builtins.has(s) && !(packageOf(s) in pkg.dependencies));
    expect(outside).toEqual([]);
    for (const dev of ['tsx', 'typescript', 'esbuild', 'vitest']) expect([...specifiers].map(packageOf)).not.toContain(dev);
  });
});

describe.runIf(process.env.DATABASE_URL)('the compiled server and worker (NODE_ENV=production)', () => {
  let roles: TestRoles;
  let scim: ScimPeer;
  let dir: string;
  let server: JmlProcess;
  let worker: JmlProcess;
  let port: number;

  beforeAll(async () => {
    roles = await createTestRoles('prodbuild');
    await migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl });
    scim = await startScimPeer({ token: 'scim-token-0123456789' });
    dir = await mkdtemp(join(tmpdir(), 'jml-prod-'));
    await writeFile(join(dir, 'jml.config.yaml'), `systems:\n  - { id: scim, type: scim, baseUrl: "${scim.url}", tokenEnv: SCIM_TOKEN }\n`);
    port = await freePort();
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: roles.appUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `prodbuild-${Date.now().toString(36)}`,
      JML_PAYLOADS_IN_CLEAR: 'true',
      SCIM_TOKEN: 'scim-token-0123456789',
      BAMBOOHR_WEBHOOK_SECRET: bambooSecret,
      JML_API_TOKENS: 'auditor:prod-build-auditor-0123456789',
      LOG_LEVEL: 'info',
    };
    server = new JmlProcess({ command: 'server', cwd: dir, logFile: join(dir, 'server.log'), env: { ...env, PORT: String(port) } });
    worker = new JmlProcess({ command: 'worker', cwd: dir, logFile: join(dir, 'worker.log'), env: { ...env, JML_METRICS_PORT: '0' } });
    server.start();
    worker.start();
    await Promise.all([server.waitFor('jml server listening', 60_000), worker.waitFor('jml worker running', 60_000)]);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await scim?.close();
    await roles?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the worker runs the compiled code and the prebuilt workflow bundle', () => {
    const line = worker.recentOutput.split('\n').find((l) => l.includes('jml worker running'))!;
    const fields = JSON.parse(line) as { code: string; workflowBundle: string };
    expect(fields.code).toBe('dist');
    expect(fields.workflowBundle).toMatch(/\/dist\/workflows\.bundle\.js$/);
  });

  it('a termination through the compiled server is carried out by the compiled worker', { timeout: 60_000 }, async () => {
    scim.seedUser({ userName: 'prod.leaver@acme.test', groups: ['staff'] });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await postBambooWebhook(`http://127.0.0.1:${port}`, terminationDelivery('6021', 'prod.leaver@acme.test', yesterday));
    expect(res.status).toBe(202);
    for (const deadline = Date.now() + 45_000; scim.user('prod.leaver@acme.test')?.active !== false || (scim.user('prod.leaver@acme.test')?.groups.length ?? 0) > 0; ) {
      if (Date.now() > deadline) throw new Error(`not offboarded:\n${worker.recentOutput.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(scim.user('prod.leaver@acme.test')).toMatchObject({ active: false, groups: [] });
  });

  it('the compiled server serves the console and its assets (its own and Chart.js)', async () => {
    const signIn = await fetch(`http://127.0.0.1:${port}/console/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('/console/assets/console.css');
    for (const name of ['console.css', 'console.js', 'chart.umd.min.js']) {
      const res = await fetch(`http://127.0.0.1:${port}/console/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect((await res.arrayBuffer()).byteLength, name).toBeGreaterThan(500);
    }
  });
});
