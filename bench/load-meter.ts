/** How busy the machine and this process were during a pass: CPU per process group and event-loop delay. */
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { childrenCpu, namedProcessesCpuMs } from './common';
import { round } from './stats';

/** Starts measuring; the returned function stops and reports what it saw since. */
export function loadMeter() {
  const resolutionMs = 10;
  const beyond = (ns: number) => round(Math.max(0, ns / 1e6 - resolutionMs));
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const cpu0 = process.cpuUsage();
  const machine0 = cpus().map((c) => c.times);
  const children0 = childrenCpu();
  const postgres0 = namedProcessesCpuMs('postgres');
  const t0 = performance.now();
  return () => {
    delay.disable();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    let busy = 0;
    let total = 0;
    cpus().forEach((c, i) => {
      const before = machine0[i];
      if (!before) return;
      const d = (k: keyof typeof before) => c.times[k] - before[k];
      const all = d('user') + d('nice') + d('sys') + d('idle') + d('irq');
      total += all;
      busy += all - d('idle');
    });
    const children = childrenCpu();
    const ofOneCore = (cpuMs: number) => round((cpuMs / wallMs) * 100);
    const machineBusyPercent = total > 0 ? round((busy / total) * 100) : null;
    const benchCpu = ofOneCore((cpu.user + cpu.system) / 1000);
    const temporalCpu = children && children0 ? ofOneCore(children.ms - children0.ms) : null;
    const postgresMs = namedProcessesCpuMs('postgres');
    // Backends that exit during the pass take their CPU time with them, so this is a lower bound.
    const postgresCpu = postgresMs !== undefined && postgres0 !== undefined ? ofOneCore(Math.max(0, postgresMs - postgres0)) : null;
    return {
      machineCpuBusyPercent: machineBusyPercent,
      // In "% of one core" units; the machine has cpuCount cores.
      cpuPercentOfOneCore: {
        machine: machineBusyPercent === null ? null : round(machineBusyPercent * machine0.length),
        benchProcess: benchCpu,
        ...(children ? { [`childProcesses (${children.names.join(', ')})`]: temporalCpu } : {}),
        postgresProcesses: postgresCpu,
        restOfMachine:
          machineBusyPercent === null
            ? null
            : round(Math.max(0, machineBusyPercent * machine0.length - benchCpu - (temporalCpu ?? 0) - (postgresCpu ?? 0))),
      },
      // The histogram holds whole sampling intervals; what lies beyond the interval is the delay.
      eventLoopDelayMs: {
        p50: beyond(delay.percentile(50)),
        p99: beyond(delay.percentile(99)),
        max: beyond(delay.max),
      },
    };
  };
}

export type Load = ReturnType<ReturnType<typeof loadMeter>>;

/** One line for the printed table. */
export function describeLoad(load: Load): string {
  const parts = Object.entries(load.cpuPercentOfOneCore)
    .filter(([k]) => k !== 'machine')
    .map(([k, v]) => `${k.replace(/ \(.*\)$/, '')} ${v === null ? '?' : String(v)}`);
  return `CPU (% of one core): ${String(load.cpuPercentOfOneCore.machine)} in all: ${parts.join(', ')}; event-loop delay p99 ${load.eventLoopDelayMs.p99} ms`;
}
