import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineMetrics } from './engine-metrics';
import { metricsText } from './sdk-metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A worker's /metrics (JML_METRICS_PORT): the engine's series this process counts (connector
 * requests, evidence appends, leaver timings) and the Temporal SDK's. Nothing else is served.
 */
export async function startMetricsServer(options: { metrics: EngineMetrics; sdkMetrics?: () => Promise<string>; port: number; host?: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metricsText(options.metrics, options.sdkMetrics).then(
      (text) => res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
