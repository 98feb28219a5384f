import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOktaPeer, type OktaPeer } from '../peers/okta-peer';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

/** `jml doctor` as an operator runs it, against an Okta peer and a SCIM peer (scimmy). */
let dir: string;
let okta: OktaPeer;
let scim: ScimPeer;
let closedPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-doctor-'));
  okta = await startOktaPeer({ token: 'okta-doctor-token' });
  scim = await startScimPeer({ token: 'scim-doctor-token' });
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
});

afterAll(async () => {
  await okta?.close();
  await scim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function doctor(systems: string[], env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, `jml-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, `systems:\n${systems.map((s) => `  - ${s}`).join('\n')}\n`);
  return new Promise((resolve) => {
    execFile('node', ['bin/jml.js', 'doctor'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, JML_CONFIG: file, JML_DATA_DIR: dir, LOG_LEVEL: 'silent', ...env } }, (err, stdout) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, lines: stdout.trim().split('\n') });
    });
  });
}

describe('jml doctor', () => {
  it('passes when every system answers and accepts its credentials', async () => {
    const { code, lines } = await doctor(
      [`{ id: okta, type: okta, baseUrl: "${okta.url}", tokenEnv: OKTA_T }`, `{ id: apps, type: scim, baseUrl: "${scim.url}", tokenEnv: SCIM_T }`],
      { OKTA_T: 'okta-doctor-token', SCIM_T: 'scim-doctor-token' },
    );
    expect(lines.filter((l) => l.startsWith('ok    okta (okta)')).length).toBe(1);
    expect(lines.filter((l) => l.startsWith('ok    apps (scim)')).length).toBe(1);
    expect(lines.some((l) => l.startsWith('FAIL'))).toBe(false);
    expect(code).toBe(0);
  });

  it('names each system that is unreachable or refuses its credentials, one line each, without the secret', async () => {
    const { code, lines } = await doctor(
      [
        `{ id: okta, type: okta, baseUrl: "${okta.url}", tokenEnv: OKTA_T }`,
        `{ id: apps, type: scim, baseUrl: "${scim.url}", tokenEnv: SCIM_T }`,
        `{ id: gone, type: okta, baseUrl: "http://127.0.0.1:${closedPort}", tokenEnv: OKTA_T }`,
      ],
      { OKTA_T: 'okta-doctor-token', SCIM_T: 'wrong-scim-secret' },
    );
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith('ok    okta (okta)')).length).toBe(1);
    expect(lines.find((l) => l.startsWith('FAIL  apps:'))).toMatch(/credentials refused/);
    expect(lines.find((l) => l.startsWith('FAIL  gone:'))).toMatch(/not reachable as okta/);
    expect(lines.join('\n')).not.toContain('wrong-scim-secret');
  });

  it('stops on a policy naming a kind a system cannot grant, with one line naming the key', async () => {
    const file = join(dir, 'kinds.yaml');
    await writeFile(file, `systems:\n  - { id: okta, type: okta, baseUrl: "${okta.url}", tokenEnv: OKTA_T }\npolicy:\n  birthright:\n    - { system: okta, entitlements: ["team:everyone"] }\n`);
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('node', ['bin/jml.js', 'doctor'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, JML_CONFIG: file, OKTA_T: 'x', LOG_LEVEL: 'silent' } }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`jml: ${file}: policy.birthright.0.entitlements.0: system "okta" (okta) cannot grant team: entitlements (it grants group:<name>)`]);
  });
});
