import { freePort } from '../temporal/dev-server';
import type { EngineMetrics } from './engine-metrics';

/**
 * The Temporal SDK's own worker series (task slots, poll and schedule-to-start latencies, sticky
 * cache...): its runtime serves them in Prometheus format on a loopback port of this process
 * (Runtime.install telemetryOptions.metrics.prometheus), and /metrics adds them to the engine's,
 * so one scrape per process has both.
 */
export async function loopbackBindAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

/** The runtime's exporter settings: counters end in _total and durations are seconds, as Prometheus names them. */
export function sdkPrometheus(bindAddress: string) {
  return { prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } };
}

/** Reads the SDK's series from its exporter; none (and the engine's still answered) when it does not answer within a second. */
export function sdkMetricsReader(bindAddress: string): () => Promise<string> {
  return async () => {
    try {
      const res = await fetch(`http://${bindAddress}/metrics`, { signal: AbortSignal.timeout(1000) });
      return res.ok ? await res.text() : '';
    } catch {
      return '';
    }
  };
}

/** The exposition text of a process: the engine's series, then the SDK's when there are any. */
export async function metricsText(metrics: EngineMetrics, sdk?: () => Promise<string>): Promise<string> {
  const [own, theirs] = await Promise.all([metrics.registry.metrics(), sdk ? sdk() : Promise.resolve('')]);
  return theirs ? `${own.trimEnd()}\n${theirs.trimEnd()}\n` : own;
}
