import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The engine's Prometheus series (README "Metrics"), one registry per process (per engine in
 * tests). Labels are systems, operations (method and path template), sources, outcomes and
 * statuses: never a login, a name or an employee ID.
 */
export function createEngineMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhooks: new Counter({
      name: 'jml_webhook_deliveries_total',
      help: 'HR webhook deliveries by source and outcome (accepted, rejected, unauthorized, too_large, unavailable, error)',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'jml_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    sessionsEnded: new Histogram({
      name: 'jml_leaver_sessions_ended_seconds',
      help: "Seconds from a leaver's clock start (the later of the HR event's arrival and the termination taking effect) to the last system's sessions ended",
      buckets: [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 300, 900, 3600],
      registers,
    }),
    slaBreaches: new Counter({
      name: 'jml_leaver_sla_breaches_total',
      help: 'Leaver SLA breaches: sessions not ended everywhere within sla.leaverSessionKill (kind sessions), or access not fully removed within sla.leaverFullRevoke (kind full_revoke)',
      labelNames: ['kind'] as const,
      registers,
    }),
    connectorRequests: new Counter({
      name: 'jml_connector_requests_total',
      help: 'HTTP requests to connected systems by system, operation (method and path template) and status (HTTP status, or timeout / network)',
      labelNames: ['system', 'operation', 'status'] as const,
      registers,
    }),
    connectorSeconds: new Histogram({
      name: 'jml_connector_request_seconds',
      help: 'Duration of HTTP requests to connected systems',
      labelNames: ['system', 'operation'] as const,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    connectorRateLimited: new Counter({
      name: 'jml_connector_rate_limited_total',
      help: 'Answers from connected systems that said "rate limited" (429, or the vendor\u2019s own way of saying it)',
      labelNames: ['system'] as const,
      registers,
    }),
    evidenceAppends: new Counter({
      name: 'jml_evidence_appends_total',
      help: 'Evidence events appended (outcome stored) or whose write failed (outcome failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    evidenceAppendSeconds: new Histogram({
      name: 'jml_evidence_append_seconds',
      help: 'Seconds from an evidence append being asked for to its event being committed (group commit included)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;

/** Series read from the database at each scrape: registered by the API process only, so a deployment counts them once. */
export function registerDatabaseGauges(metrics: EngineMetrics, sources: { inboxPending: () => Promise<number>; approvalsPending: () => Promise<number> }): void {
  const registers = [metrics.registry];
  // Without the database the gauge reads NaN; /metrics itself keeps answering.
  new Gauge({
    name: 'jml_inbox_pending',
    help: 'HR events stored in the inbox and not yet handed over to Temporal',
    registers,
    async collect() {
      this.set(await sources.inboxPending().catch(() => Number.NaN));
    },
  });
  new Gauge({
    name: 'jml_approvals_pending',
    help: 'Access requests waiting for an approver',
    registers,
    async collect() {
      this.set(await sources.approvalsPending().catch(() => Number.NaN));
    },
  });
}

/** The outcome label of a webhook answer's status. */
export function webhookOutcome(status: number): string {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 413) return 'too_large';
  if (status === 429) return 'throttled';
  if (status === 503) return 'unavailable';
  if (status >= 400 && status < 500) return 'rejected';
  return 'error';
}
