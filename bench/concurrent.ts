/** A pass with many workers in flight at once: through the engine, then the same count directly. */
import { loadMeter, type Load } from './load-meter';
import { round, summarise } from './stats';

/** Runs count jobs, at most `concurrency` at a time. */
export async function pool<T>(count: number, concurrency: number, job: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (started < count) {
        started++;
        out.push(await job());
      }
    }),
  );
  return out;
}

/** The figures of a concurrent pass; `unit` names the throughput key, e.g. engineLeaversPerMinute. */
export type ConcurrentFigures<U extends string> = {
  concurrency: number;
  n: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  baselineP50Ms: number;
  baselineP95Ms: number;
  baselineP99Ms: number;
  ratioP50: number;
  note: string;
  engineWallSeconds: number;
} & { [K in `engine${Capitalize<U>}PerMinute`]: number } & {
  baselineWallSeconds: number;
  engineLoad: Load;
};

export interface ConcurrentSpec<S, U extends string> {
  /** Plural worker noun for the throughput key: 'leavers' gives engineLeaversPerMinute. */
  unit: U;
  concurrency: number;
  n: number;
  engine: () => Promise<S>;
  baseline: () => Promise<S>;
  /** Run before the engine half and again before the baseline half (e.g. to reset peer state), off the clock. */
  beforeEach?: () => Promise<void>;
  /** The measured figure of one sample (ms). */
  ms: (s: S) => number;
  note: string;
}

export async function concurrentPass<S, U extends string>(spec: ConcurrentSpec<S, U>): Promise<{ figures: ConcurrentFigures<U>; engineSamples: S[] }> {
  await spec.beforeEach?.();
  const engineStart = Date.now();
  const engineLoad = loadMeter();
  const engineSamples = await pool(spec.n, spec.concurrency, spec.engine);
  const engineWallMs = Date.now() - engineStart;
  const engineLoadSeen = engineLoad();
  await spec.beforeEach?.();
  const baselineStart = Date.now();
  const baselineSamples = await pool(spec.n, spec.concurrency, spec.baseline);
  const baselineWallMs = Date.now() - baselineStart;
  const e = summarise(engineSamples.map(spec.ms));
  const b = summarise(baselineSamples.map(spec.ms));
  const perMinuteKey = `engine${spec.unit.charAt(0).toUpperCase()}${spec.unit.slice(1)}PerMinute`;
  const figures = {
    concurrency: spec.concurrency,
    n: spec.n,
    p50Ms: e.p50,
    p95Ms: e.p95,
    p99Ms: e.p99,
    maxMs: e.max,
    baselineP50Ms: b.p50,
    baselineP95Ms: b.p95,
    baselineP99Ms: b.p99,
    ratioP50: round(e.p50 / b.p50, 2),
    note: spec.note,
    engineWallSeconds: round(engineWallMs / 1000),
    [perMinuteKey]: round((spec.n / engineWallMs) * 60_000),
    baselineWallSeconds: round(baselineWallMs / 1000),
    engineLoad: engineLoadSeen,
  } as ConcurrentFigures<U>;
  return { figures, engineSamples };
}
