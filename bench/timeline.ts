/**
 * Reading where a worker's time went: per-worker milestones (epoch ms, one record per worker,
 * from history.ts, evidence and the peers) turned into stage spans and a timeline.
 */
import { median, percentile } from './stats';

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
