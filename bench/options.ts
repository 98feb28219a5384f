/** What every lifecycle benchmark fixes (peer latency, minimum sample size) and the command-line options they share. */
import { benchArgs, wholeNumber } from './args';

/** Fixed by the benchmarks' definitions: every target-system response comes after 150 ms. */
export const latencyMs = 150;
export const minimumN = 50;

export interface Options {
  n: number;
  warmup: number;
  concurrency: number;
  concurrentN: number;
  pollMs: number;
  /** Idle time between one worker and the next (benchmarks that honour it; default 0). */
  gapMs: number;
}

export function parseOptions(args: string[]): Options {
  const values = benchArgs(args, {
    n: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    concurrent: { type: 'string', default: '10' },
    'concurrent-n': { type: 'string' },
    poll: { type: 'string', default: '5' },
    gap: { type: 'string', default: '0' },
  });
  const int = (name: string, raw: string, min: number) => wholeNumber(name, raw, min);
  const n = int('n', values.n, 1);
  return {
    n,
    warmup: int('warmup', values.warmup, 0),
    concurrency: int('concurrent', values.concurrent, 0),
    concurrentN: int('concurrent-n', values['concurrent-n'] ?? String(n), 1),
    pollMs: int('poll', values.poll, 1),
    gapMs: int('gap', values.gap, 0),
  };
}
