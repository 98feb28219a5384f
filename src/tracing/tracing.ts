/**
 * OpenTelemetry tracing, with the OpenTelemetry SDK and Temporal's interceptors: one trace follows
 * an HR event from the webhook through the inbox, the workflows and their activities to each
 * connector's HTTP call. On when OTEL_EXPORTER_OTLP_ENDPOINT is set (spans go there over OTLP/HTTP,
 * the exporter reading the standard OTEL_* settings), or when a test hands in its own processor.
 * Spans carry IDs (workflow and activity types and IDs, task queues, URLs' hosts and templates
 * through the HTTP instrumentation), never an HR field.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { operationOf } from '../connectors/http';
import { redactPath } from '../personal-data';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

/** A request path without its query and with logins and IDs templated (as metrics label operations). */
export function routeOf(pathAndQuery: string): string {
  const path = pathAndQuery.split('?')[0] ?? '';
  return operationOf(`GET ${redactPath(path)}`).slice('GET '.length);
}

/** Starts tracing for this process (once: the provider is global), or undefined when it is off. */
export function startTracing(options: { endpoint?: string | undefined; serviceName?: string; spanProcessor?: SpanProcessor }): Tracing | undefined {
  if (!options.endpoint && !options.spanProcessor) return undefined;
  const resource = new Resource({ 'service.name': options.serviceName ?? 'jml-engine' });
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // Node's fetch is undici: every connector's request becomes a client span of the step that made it.
  // The path as metrics label it (a login `{login}`, IDs `{id}`) and no query: a span never holds one.
  const unregister = registerInstrumentations({
    instrumentations: [
      new UndiciInstrumentation({
        startSpanHook: (request) => {
          const path = routeOf(request.path);
          return { 'url.full': `${request.origin}${path}`, 'url.path': path, 'url.query': '' };
        },
      }),
    ],
  });
  return {
    resource,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}


