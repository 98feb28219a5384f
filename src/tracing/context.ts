/**
 * Trace context for the engine's own spans and hand-overs, on the OpenTelemetry API alone (no SDK:
 * without src/tracing/tracing.ts started, every call here is a no-op).
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';

export const tracerName = 'jml-engine';

/** The W3C trace context of the active span, to be stored with an HR event and continued at hand-over. */
export function activeTraceParent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a stored trace parent stands for (the root context without one). */
export function contextOf(traceParent: string | null | undefined): Context {
  return traceParent ? propagation.extract(ROOT_CONTEXT, { traceparent: traceParent }) : ROOT_CONTEXT;
}

/**
 * A server span for one request (a webhook delivery): `within` runs work as its child (explicitly:
 * a body parser's stream callbacks do not carry the request's context), `end` closes it with the
 * status answered.
 */
export function startServerSpan(name: string): { within<T>(work: () => Promise<T>): Promise<T>; end(status: number): void } {
  const span = trace.getTracer(tracerName).startSpan(name, { kind: SpanKind.SERVER });
  return {
    within: (work) => context.with(trace.setSpan(ROOT_CONTEXT, span), work),
    end(status) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
