import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import type { Logger } from '../log';

export interface Shared {
  setShare(processes: number): void;
}

/**
 * Counts the worker processes alive now (a row each in worker_census, refreshed every `everyMs`;
 * a row not refreshed for three rounds is gone) and tells every system's pacer its share. Runs
 * until stopped; a database hiccup leaves the last share in place.
 */
export function startWorkerCensus(options: { db: Database; shared: readonly Shared[]; log: Logger; everyMs?: number }) {
  const everyMs = options.everyMs ?? 10_000;
  const processId = `${process.pid}-${randomUUID()}`;
  let stopped = false;
  let last = 0;
  const round = async () => {
    if (stopped) return;
    try {
      await options.db.query(
        `INSERT INTO worker_census (process_id) VALUES ($1) ON CONFLICT (process_id) DO UPDATE SET seen_at = now()`,
        [processId],
      );
      await options.db.query(`DELETE FROM worker_census WHERE seen_at < now() - interval '1 hour'`);
      const { rows } = await options.db.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM worker_census WHERE seen_at > now() - ($1::int * interval '1 millisecond')`,
        [everyMs * 3],
      );
      const n = Math.max(1, Number(rows[0]?.n ?? 1));
      if (n !== last) options.log.info({ workers: n }, 'systems\' limits shared among the worker processes');
      last = n;
      for (const s of options.shared) s.setShare(n);
    } catch (err) {
      options.log.warn({ code: (err as { code?: string }).code }, 'worker census round failed; keeping the last share');
    }
  };
  let inFlight: Promise<void> = Promise.resolve();
  const next = () => (inFlight = inFlight.then(round));
  const started = next();
  const timer = setInterval(() => void next(), everyMs);
  timer.unref();
  return {
    ready: started,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      // A round already under way would otherwise write this process back after the delete.
      await inFlight;
      await options.db.query(`DELETE FROM worker_census WHERE process_id = $1`, [processId]).catch(() => undefined);
    },
  };
}
