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
