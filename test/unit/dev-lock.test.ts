import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devLockHolder, holdDevLock } from '../../src/runtime/dev-lock';

/** The PID a `jml dev` leaves in .jml/ stops another one only while that process is a jml. */
let dir: string;
const children: ChildProcess[] = [];

const started = async (command: string, args: string[]) => {
  const child = spawn(command, args, { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => setTimeout(r, 200));
  return child.pid!;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-devlock-'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('the jml dev lock', () => {
  it('is held by a live jml process', async () => {
    const pid = await started(process.execPath, ['-e', 'setTimeout(() => undefined, 30000)', 'bin/jml.js', 'dev']);
    await writeFile(join(dir, 'dev.pid'), String(pid));
    expect(await devLockHolder(dir)).toBe(pid);
    await expect(holdDevLock(dir)).rejects.toThrow(`pid ${pid}`);
  });

  it('is stale when its PID now belongs to another program, and can be taken', async () => {
    const pid = await started('sleep', ['30']);
    await writeFile(join(dir, 'dev.pid'), String(pid));
    expect(await devLockHolder(dir)).toBeUndefined();
    const release = await holdDevLock(dir);
    expect(await devLockHolder(dir)).toBeUndefined(); // our own PID
    await release();
  });

  it('is stale when the process is gone', async () => {
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    await writeFile(join(dir, 'dev.pid'), String(child.pid));
    expect(await devLockHolder(dir)).toBeUndefined();
  });
});
