import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';

/**
 * `jml dev` killed outright leaves its dev server's PID beside the SQLite file; the next start on
 * that file stops the leftover server before starting its own (two servers on one SQLite file
 * fail with "disk I/O error", and the second cannot have the port).
 */
let dir: string;
let binary: string;
const running: DevServer[] = [];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-leftover-'));
  const cli = await resolveTemporalCli({ build: false });
  if (cli.source === 'sdk-download') throw new Error('this test starts Temporal dev servers and needs the Temporal CLI');
  binary = cli.path;
});

afterAll(async () => {
  for (const s of running) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a dev server left by an earlier run', () => {
  it('is stopped before the next start on the same database file, which then comes up on the same port', async () => {
    const port = await freePort();
    const options = { binary, port, dbFile: join(dir, 'temporal.db'), pidFile: join(dir, 'temporal.pid') };
    const first = await startDevServer(options);
    running.push(first);
    expect((await readFile(options.pidFile, 'utf8')).trim()).toBe(String(first.pid));
    // The process that started `first` is gone as far as the next start knows: only the PID file tells.
    const second = await startDevServer(options);
    running.push(second);
    expect(second.pid).not.toBe(first.pid);
    expect(alive(first.pid)).toBe(false);
    expect((await readFile(options.pidFile, 'utf8')).trim()).toBe(String(second.pid));
    await second.stop();
    await expect(readFile(options.pidFile, 'utf8')).rejects.toThrow();
  }, 120_000);

  it('leaves alone a process that is not a dev server on that file', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pidFile = join(dir, 'other.pid');
      await writeFile(pidFile, String(other.pid));
      const server = await startDevServer({ binary, dbFile: join(dir, 'other.db'), pidFile });
      running.push(server);
      expect(alive(other.pid!)).toBe(true);
      await server.stop();
    } finally {
      other.kill();
    }
  }, 120_000);
});
