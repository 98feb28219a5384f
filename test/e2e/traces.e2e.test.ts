import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/tracing/tracing';
import type { LeaverResult } from '../../workflows/leaver';
import { postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { startEngineOnTargets } from '../harness/engine-on-targets';
import type { TestEngine } from '../harness/test-engine';
import type { Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let targets: Targets;
let engine: TestEngine;
let close: () => Promise<void>;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const login = 'traced.leaver@acme.test';

beforeAll(async () => {
  tracing = startTracing({ spanProcessor: new SimpleSpanProcessor(exporter) })!;
  ({ targets, engine, close } = await startEngineOnTargets({ tracing }));
});

afterAll(async () => {
  await close?.();
  await tracing?.shutdown();
});

/** The chain of span names from a span up to its trace's root. */
function ancestry(span: ReadableSpan, byId: Map<string, ReadableSpan>): string[] {
  const names: string[] = [];
  for (let s: ReadableSpan | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) names.push(s.name);
  return names;
}

describe('one trace per HR event', () => {
  it('follows a termination from the webhook through the inbox, the workflows and activities to each connector call', { timeout: 60_000 }, async () => {
    targets.seedWorker(login, ['engineering']);
    const res = await postBambooWebhook(engine.url, terminationDelivery('8801', login, yesterday));
    expect(res.status).toBe(202);
    const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((id) => id.startsWith('leaver-'))!;
    expect((await resultOf<LeaverResult>(engine.client, leaverId)).slaBreached).toBe(false);
    await tracing.spanProcessor.forceFlush();

    const spans = exporter.getFinishedSpans();
    const webhook = spans.find((s) => s.name === 'POST /webhooks/bamboohr' && s.attributes['http.response.status_code'] === 202);
    expect(webhook, spans.map((s) => s.name).join(', ')).toBeDefined();
    const traceId = webhook!.spanContext().traceId;
    const trace = spans.filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const names = new Set(trace.map((s) => s.name));

    // The workflows and activities, in the webhook's trace.
    expect([...names]).toEqual(expect.arrayContaining(['RunWorkflow:leaverWorkflow', 'RunActivity:killSessions', 'RunActivity:removeAccess']));
    // Okta's session call, a client span of the kill step, the kill step under the leaver, the leaver under the webhook.
    const sessionCall = trace.find((s) => s.attributes['http.request.method'] === 'DELETE' && String(s.attributes['url.full']).startsWith(targets.okta.url) && String(s.attributes['url.path']).endsWith('/sessions'));
    expect(sessionCall, [...names].join(', ')).toBeDefined();
    const chain = ancestry(sessionCall!, byId);
    expect(chain).toEqual(['DELETE', 'RunActivity:killSessions', 'StartActivity:killSessions', 'RunWorkflow:leaverWorkflow', 'StartChildWorkflow:leaverWorkflow']);
    // Above the child's start is the worker's own workflow, whose run span ends only when the run
    // does (it lives on for the worker's next events); it was signalled with start under the webhook.
    const signalled = trace.find((s) => s.name === 'SignalWithStartWorkflow:employeeWorkflow');
    expect(signalled?.parentSpanId).toBe(webhook!.spanContext().spanId);
    expect(trace.find((s) => s.name === 'HandleSignal:hrEvent')?.parentSpanId).toBe(signalled!.spanContext().spanId);
    const startChild = trace.find((s) => s.name === 'StartChildWorkflow:leaverWorkflow')!;
    const employeeRun = startChild.parentSpanId!;
    expect(trace.find((s) => s.name === 'StartActivity:verifyHrEvent' && s.parentSpanId === employeeRun), 'the worker workflow checked the event in the same run').toBeDefined();
    // And the SCIM system's calls too.
    expect(trace.some((s) => String(s.attributes['url.full']).startsWith(targets.scim.url.replace(/\/scim\/v2$/, '')))).toBe(true);

    // No span holds the login or the address: paths are templated, queries dropped.
    const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    for (const needle of [login, encodeURIComponent(login), login.split('@')[0]!]) expect(everything).not.toContain(needle);
  });
});
