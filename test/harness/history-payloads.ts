import type { Payload } from '@temporalio/common';

/** Every Payload in a history, with where it is; search attributes (indexed by the server, never HR data) apart. */
export function payloadsIn(node: unknown, path = ''): { path: string; payload: Payload }[] {
  if (typeof node !== 'object' || node === null || node instanceof Uint8Array) return [];
  if (Array.isArray(node)) return node.flatMap((n, i) => payloadsIn(n, `${path}[${i}]`));
  const obj = node as Record<string, unknown>;
  if (typeof obj.metadata === 'object' && obj.metadata !== null && 'encoding' in obj.metadata) return [{ path, payload: obj as Payload }];
  return Object.entries(obj).flatMap(([k, v]) => (k === 'searchAttributes' ? [] : payloadsIn(v, `${path}.${k}`)));
}

/**
 * Temporal writes patch markers (a patch ID, e.g. "leaver-notifications") and the bookkeeping of
 * a local activity's marker (sequence, attempt, activity type, times) itself, outside the codec;
 * the local activity's result is encoded like any other payload.
 */
export const isPatchMarker = (f: { path: string }): boolean => /markerRecordedEventAttributes\.details\.patch-data\./.test(f.path);
export const isLocalActivityMarker = (f: { path: string }): boolean => /markerRecordedEventAttributes\.details\.data\./.test(f.path);

/**
 * The trace context Temporal's OpenTelemetry interceptors carry in headers (`_tracer-data`): trace
 * and span IDs only, written outside the codec as Temporal writes every header.
 */
export const isTraceContextHeader = (f: { path: string }): boolean => /\.header\.fields\._tracer-data$/.test(f.path);

/** Whether a trace-context header holds nothing but the W3C trace context (empty with tracing off). */
export function holdsTraceContextOnly(payload: Payload): boolean {
  const text = Buffer.from(payload.data ?? []).toString('utf8');
  return text === '{}' || /^\{"traceparent":"00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]"(,"tracestate":"[^"\\]*")?\}$/.test(text);
}
