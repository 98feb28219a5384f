import type { JmlProcess } from '../harness/jml-process';

/**
 * Every few seconds, SIGKILL a random worker that is up and start it again at once, up to
 * `maxKills`, until stopped. A worker counts as up once it said it runs, so kills land on
 * workers doing work; one is always left up, so the work goes on between kills.
 */
export function startWorkerKiller(options: {
  workers: JmlProcess[];
  start: (worker: JmlProcess) => Promise<void>;
  everyMs: readonly [number, number];
  maxKills: number;
}) {
  const up = new Set<JmlProcess>(options.workers.filter((w) => w.running));
  const restarts: Promise<void>[] = [];
  const failures: string[] = [];
  const startupMs: number[] = [];
  let kills = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const restart = async (worker: JmlProcess) => {
    const started = Date.now();
    try {
      await options.start(worker);
      startupMs.push(Date.now() - started);
      up.add(worker);
    } catch (err) {
      failures.push((err as Error).message);
    }
  };

  const tick = async () => {
    if (stopped) return;
    const candidates = [...up];
    if (candidates.length > 1 && kills < options.maxKills) {
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      up.delete(victim);
      await victim.kill();
      kills++;
      restarts.push(restart(victim));
    }
    const [min, max] = options.everyMs;
    if (!stopped) timer = setTimeout(() => void tick(), min + Math.random() * (max - min));
  };
  timer = setTimeout(() => void tick(), options.everyMs[0]);

  return {
    get kills() {
      return kills;
    },
    /** Stops killing and waits for every restart to finish. */
    async stop(): Promise<{ kills: number; failures: string[]; startupMs: number[] }> {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(restarts);
      return { kills, failures, startupMs };
    },
  };
}
