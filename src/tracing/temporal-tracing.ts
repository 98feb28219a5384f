/**
 * Temporal's own OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry), wired into
 * every client and worker: workflow starts and signals carry the caller's trace in their headers,
 * workflows and activities continue it, and the workflow code's spans leave the sandbox through
 * the `exporter` sink. Workflow code always carries the interceptors (they are bundled with it),
 * so workers always register the sink: with tracing off its spans are dropped.
 */
import { createRequire } from 'node:module';
import { Resource } from '@opentelemetry/resources';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from './tracing';


/** A span processor that drops everything: workflow code always reports spans to its sink. */
export const droppingSpanProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (_span: ReadableSpan) => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};


/** The workflow-side interceptor module, bundled into the workflow code. */
export const workflowTracingModule = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export const clientTracingInterceptors = () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] });

export const activityTracingInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** The sink the workflow interceptors export through: to the tracing's processor, or nowhere. */
export function workflowTracingSinks(tracing: Tracing | undefined): InjectedSinks<Record<string, never>> {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? droppingSpanProcessor, tracing?.resource ?? new Resource({ 'service.name': 'jml-engine' })) } as unknown as InjectedSinks<Record<string, never>>;
}
