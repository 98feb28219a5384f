import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics for GET /metrics; one registry per app so tests stay independent.
 * `inboxPending` counts stored events not yet handed to Temporal (read at each scrape).
 */
export function createMetrics(options: { inboxPending?: () => Promise<number> } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const inboxPending = options.inboxPending;
  if (inboxPending) {
    new Gauge({
      name: 'jml_inbox_pending',
      help: 'HR events stored in the inbox and not yet handed over to Temporal',
      registers: [registry],
      async collect() {
        // Without the database the last value stands; /metrics itself keeps answering.
        this.set(await inboxPending().catch(() => Number.NaN));
      },
    });
  }
  return {
    registry,
    webhooks: new Counter({
      name: 'jml_webhook_deliveries_total',
      help: 'HR webhook deliveries by source and HTTP status',
      labelNames: ['source', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'jml_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
