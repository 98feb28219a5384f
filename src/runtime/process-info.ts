import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A running process's command line, or undefined when no live process has that PID (a zombie
 * counts as gone: it holds no file, lock or port). Reads /proc where there is one, else asks ps.
 */
export async function liveCommandOf(pid: number): Promise<string | undefined> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": the state letter follows the last ')'.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
  } catch {
    // no /proc (macOS), or the process went away meanwhile
  }
  try {
    const { stdout } = await run('ps', ['-o', 'stat=', '-o', 'command=', '-p', String(pid)]);
    const line = stdout.trim();
    if (!line || line.startsWith('Z')) return undefined;
    const space = line.indexOf(' ');
    return space < 0 ? '' : line.slice(space + 1).trim();
  } catch {
    return undefined; // ps exits non-zero for a PID that does not exist
  }
}
