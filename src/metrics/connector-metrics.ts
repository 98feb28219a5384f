import type { ConnectorMetrics } from '../connectors/http';
import type { EngineMetrics } from './engine-metrics';

/** The connectors' requests, counted and timed in the process's series. */
export function connectorMetrics(metrics: EngineMetrics): ConnectorMetrics {
  return {
    request(system, operation, status, seconds) {
      metrics.connectorRequests.inc({ system, operation, status });
      metrics.connectorSeconds.observe({ system, operation }, seconds);
    },
    rateLimited(system) {
      metrics.connectorRateLimited.inc({ system });
    },
  };
}
