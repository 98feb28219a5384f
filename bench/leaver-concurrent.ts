/** The second pass: many leavers in flight at once, through the engine and then directly. */
import { baselineLeaver } from './leaver-baseline';
import { engineLeaver } from './leaver-engine';
import type { Options } from './leaver-options';
import { killMs, type Context, type Sample } from './leaver-sample';
import type { Stages } from './leaver-stages';
import { loadMeter, type Load } from './load-meter';
import { round, summarise } from './stats';

/** The `concurrent` section of the result file. */
export interface ConcurrentResult {
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
  engineLeaversPerMinute: number;
  baselineWallSeconds: number;
  engineLoad: Load;
  /** Added once the engine leavers' evidence and histories have been read. */
  stages?: Stages;
}

/** Runs count jobs, at most `concurrency` at a time. */
async function pool<T>(count: number, concurrency: number, job: () => Promise<T>): Promise<T[]> {
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

/** `options.concurrentN` leavers through the engine with `options.concurrency` in flight, then the same directly. */
export async function concurrentPass(ctx: Context, options: Options): Promise<{ concurrent: ConcurrentResult; engineSamples: Sample[] }> {
  const engineStart = Date.now();
  const engineLoad = loadMeter();
  const engineC = await pool(options.concurrentN, options.concurrency, () => engineLeaver(ctx));
  const engineWallMs = Date.now() - engineStart;
  const engineLoadSeen = engineLoad();
  const baselineStart = Date.now();
  const baselineC = await pool(options.concurrentN, options.concurrency, () => baselineLeaver(ctx));
  const baselineWallMs = Date.now() - baselineStart;
  const e = summarise(engineC.map(killMs));
  const b = summarise(baselineC.map(killMs));
  const concurrent: ConcurrentResult = {
    concurrency: options.concurrency,
    n: options.concurrentN,
    p50Ms: e.p50,
    p95Ms: e.p95,
    p99Ms: e.p99,
    maxMs: e.max,
    baselineP50Ms: b.p50,
    baselineP95Ms: b.p95,
    baselineP99Ms: b.p99,
    ratioP50: round(e.p50 / b.p50, 2),
    note:
      'each of the concurrency slots runs one leaver end to end (kill, then the rest of the leaver workflow) before taking the next; ' +
      'wall time is for the whole pass including the post-kill steps',
    engineWallSeconds: round(engineWallMs / 1000),
    engineLeaversPerMinute: round((options.concurrentN / engineWallMs) * 60_000),
    baselineWallSeconds: round(baselineWallMs / 1000),
    engineLoad: engineLoadSeen,
  };
  return { concurrent, engineSamples: engineC };
}
