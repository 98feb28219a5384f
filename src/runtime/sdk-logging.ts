import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../log';
import { sdkPrometheus } from '../metrics/sdk-metrics';

/**
 * Routes the Temporal SDK's own logs into ours. Its info-level chatter (bundling, worker state)
 * only shows at debug; warnings and errors always do (but the system workers' "no workflows
 * registered", which is how they are meant to be). With a bind address, the SDK's own worker
 * metrics are exported there.
 */
export function routeSdkLogs(log: Logger, options: { metricsBindAddress?: string } = {}): void {
  const level: LogLevel = log.isLevelEnabled('debug') ? 'DEBUG' : 'WARN';
  const sdk = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    // The SDK's worker series, in Prometheus format on a loopback port; /metrics adds them (src/metrics/sdk-metrics.ts).
    ...(options.metricsBindAddress ? { telemetryOptions: { metrics: sdkPrometheus(options.metricsBindAddress) } } : {}),
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta ?? {};
      // Each system's activity-only worker (src/runtime/system-workers.ts) has no workflows, by design.
      if (entry.message.startsWith('No workflows registered')) return sdk.debug(meta, entry.message);
      if (entry.level === 'ERROR') sdk.error(meta, entry.message);
      else if (entry.level === 'WARN') sdk.warn(meta, entry.message);
      else if (entry.level === 'INFO') sdk.info(meta, entry.message);
      else sdk.debug(meta, entry.message);
    }),
  });
}
