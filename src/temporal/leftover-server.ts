import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { liveCommandOf } from '../runtime/process-info';

/**
 * A dev server started on a database file leaves its PID beside it. When the process that
 * started it was killed outright (SIGKILL, a closed terminal), the server may live on, holding
 * the SQLite file and the port; or it is still dying when the next start comes. The next start
 * finds it here, stops it and waits until it is gone.
 */
export async function recordServer(pidFile: string, pid: number): Promise<void> {
  await writeFile(pidFile, `${pid}\n`);
}

export async function forgetServer(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/** Alive and not a zombie. */
async function running(pid: number): Promise<{ command: string } | undefined> {
  const command = await liveCommandOf(pid);
  return command === undefined ? undefined : { command };
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!(await running(pid))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !(await running(pid));
}

/**
 * Stops the dev server a previous run recorded in `pidFile`, if it still runs on `dbFile`
 * (a PID reused by an unrelated process is left alone). Returns the PID it stopped.
 */
export async function stopLeftoverServer(pidFile: string, dbFile: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  const found = await running(pid);
  if (!found || !found.command.includes('start-dev') || !found.command.includes(dbFile)) {
    await forgetServer(pidFile);
    return undefined;
  }
  process.kill(pid, 'SIGTERM');
  if (!(await waitGone(pid, 10_000))) {
    process.kill(pid, 'SIGKILL');
    if (!(await waitGone(pid, 10_000))) throw new Error(`the Temporal dev server left by a previous run (pid ${pid}) does not stop; stop it by hand`);
  }
  await forgetServer(pidFile);
  return pid;
}

/** Waits until nothing listens on 127.0.0.1:port; false if something still does after `ms`. */
export async function waitPortFree(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free || Date.now() > deadline) return free;
    await new Promise((r) => setTimeout(r, 200));
  }
}
