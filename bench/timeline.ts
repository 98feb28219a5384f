/**
 * Reading where a worker's time went: Temporal workflow history times, and per-worker
 * milestones (epoch ms, one record per worker) turned into stage spans and a timeline.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { median, percentile } from './stats';

export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export function eventMs(e: HistoryEvent | undefined): number | undefined {
  const ts = e?.eventTime;
  if (!ts) return undefined;
  return Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** Scheduled, started and completed times of every activity of a type in a history. */
export function activityTimes(events: HistoryEvent[], type: string): { scheduled: number; started?: number; completed?: number }[] {
  const out: { id: string; scheduled: number; started?: number; completed?: number }[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) out.push({ id: String(e.eventId), scheduled: eventMs(e)! });
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const a = out.find((x) => x.id === String(started.scheduledEventId));
      if (a) a.started = eventMs(e);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const a = out.find((x) => x.id === String(completed.scheduledEventId));
      if (a) a.completed = eventMs(e);
    }
  }
  return out;
}

/** Time of the first history event `pick` accepts. */
export const first = (events: HistoryEvent[], pick: (e: HistoryEvent) => unknown) => eventMs(events.find((e) => pick(e)));

/** The latest of the values, only when all are known (the last of several steps). */
export const maxOf = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === values.length && defined.length > 0 ? Math.max(...defined) : undefined;
};

/** The earliest known value. */
export const minOf = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
};

/** Evidence time (occurredAt) as epoch ms. */
export const isoMs = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

export type Spread = { p50: number; p95: number } | null;

export const p50p95 = (values: number[]): Spread => (values.length === 0 ? null : { p50: median(values), p95: percentile(values, 95) });

/** p50/p95 of `to - from` over the workers where both milestones are known. */
export function span<K extends string>(rows: Record<K, number | undefined>[], from: K, to: K): Spread {
  return p50p95(rows.flatMap((m) => (m[from] !== undefined && m[to] !== undefined ? [m[to]! - m[from]!] : [])));
}

/** Median (and p95) time of each milestone after `from`, in the given order. */
export function timeline<K extends string>(rows: Record<K, number | undefined>[], order: readonly K[], from: K): Record<K, Spread> {
  return Object.fromEntries(order.map((name) => [name, span(rows, from, name)])) as Record<K, Spread>;
}
