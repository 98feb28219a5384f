/** CPU time of single processes by PID (Linux /proc), for benchmarks that run parts apart. */
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU (ms) a process has used so far; 0 once it is gone or off Linux. */
export function pidCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The PID of this process's child running the Temporal CLI (the dev server), if any. */
export function temporalPid(): number | undefined {
  try {
    for (const task of readdirSync('/proc/self/task')) {
      for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'temporal') return Number(pid);
      }
    }
  } catch {
    // not Linux, or the process list changed under us
  }
  return undefined;
}
