import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { liveCommandOf } from './process-info';

/**
 * Embedded PGlite is single-process: while `jml dev` holds the data directory, another process
 * must not open it. `jml dev` leaves its PID here; CLI commands check it first.
 */
const lockFile = (dataDir: string) => join(dataDir, 'dev.pid');

export async function holdDevLock(dataDir: string): Promise<() => Promise<void>> {
  const holder = await devLockHolder(dataDir);
  if (holder !== undefined) throw new Error(`another jml dev (pid ${holder}) is using ${dataDir}; stop it first`);
  await writeFile(lockFile(dataDir), String(process.pid));
  return () => rm(lockFile(dataDir), { force: true });
}

/** The PID of a live `jml dev` using dataDir, if any. */
export async function devLockHolder(dataDir: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(lockFile(dataDir), 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  // Stale when the process is gone, or when its PID now belongs to something else (after a
  // reboot or in a container, where a killed `jml dev` was PID 1 and PIDs are reused at once).
  const command = await liveCommandOf(pid);
  if (command === undefined) return undefined;
  return command === '' || /\bjml\b|jml\.js/.test(command) ? pid : undefined;
}
