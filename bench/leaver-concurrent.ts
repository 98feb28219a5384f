/** The leaver's second pass: many leavers in flight at once, through the engine and then directly. */
import { concurrentPass as pass, type ConcurrentFigures } from './concurrent';
import { baselineLeaver } from './leaver-baseline';
import { engineLeaver } from './leaver-engine';
import { killMs, type Context, type Sample } from './leaver-sample';
import type { Stages } from './leaver-stages';
import type { Options } from './options';

/** The `concurrent` section of the result file. */
export type ConcurrentResult = ConcurrentFigures<'leavers'> & {
  /** Added once the engine leavers' evidence and histories have been read. */
  stages?: Stages;
};

/** `options.concurrentN` leavers through the engine with `options.concurrency` in flight, then the same directly. */
export async function concurrentPass(ctx: Context, options: Options): Promise<{ concurrent: ConcurrentResult; engineSamples: Sample[] }> {
  const { figures, engineSamples } = await pass({
    unit: 'leavers',
    concurrency: options.concurrency,
    n: options.concurrentN,
    engine: () => engineLeaver(ctx),
    baseline: () => baselineLeaver(ctx),
    ms: killMs,
    note:
      'each of the concurrency slots runs one leaver end to end (kill, then the rest of the leaver workflow) before taking the next; ' +
      'wall time is for the whole pass including the post-kill steps',
  });
  return { concurrent: figures, engineSamples };
}
