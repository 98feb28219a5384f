/**
 * Delivering the signed checkpoints to each sink from evidence_checkpoints, where they are kept,
 * so that what a sink missed is not lost with the worker that signed it: every worker's round
 * tries each sink, and the one that takes the sink's lease sends it what it has not had, in order.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database';
import type { Logger } from '../../log';
import { parseCheckpoint } from './checkpoint';
import type { CheckpointSink } from './sinks';

export interface Deliveries {
  /** Starts tracking sinks not seen before at the latest checkpoint: a new sink gets what is signed from now on. */
  register(): Promise<void>;
  /** Sends each sink what it missed, the sinks side by side; one's trouble never holds another up. */
  deliverAll(): Promise<void>;
}

export function checkpointDeliveries(options: { db: Database; sinks: readonly CheckpointSink[]; log: Logger; maxPending: number; leaseMs: number }): Deliveries {
  const { db, log, maxPending } = options;
  const holder = randomUUID();
  const leaseSeconds = options.leaseMs / 1000;

  const deliver = async (sink: CheckpointSink): Promise<void> => {
    const claimed = await db.query<{ seq: string | number }>(
      `UPDATE evidence_checkpoint_deliveries SET leased_by = $2, leased_until = now() + make_interval(secs => $3)
        WHERE sink = $1 AND (leased_until IS NULL OR leased_until < now() OR leased_by = $2) RETURNING seq`,
      [sink.id, holder, leaseSeconds],
    );
    // Another worker is delivering to it now.
    if (!claimed.rows[0]) return;
    try {
      const delivered = Number(claimed.rows[0].seq);
      const { rows } = await db.query<{ seq: string | number; line: string; behind: string | number }>(
        `SELECT seq, line, behind FROM (
           SELECT seq, line, count(*) OVER () AS behind FROM evidence_checkpoints WHERE seq > $1 ORDER BY seq DESC LIMIT $2) newest
          ORDER BY seq`,
        [delivered, maxPending],
      );
      const behind = Number(rows[0]?.behind ?? 0);
      // Each checkpoint vouches for every row before it: the newest ones are the ones to keep.
      if (behind > rows.length) log.warn({ sink: sink.name, skipped: behind - rows.length }, 'evidence checkpoint sink fell too far behind: the oldest undelivered checkpoints are skipped');
      for (const [i, row] of rows.entries()) {
        const checkpoint = parseCheckpoint(row.line);
        if (typeof checkpoint !== 'string') {
          try {
            await sink.publish(checkpoint);
          } catch (err) {
            log.warn({ sink: sink.name, seq: Number(row.seq), behind: rows.length - i, error: (err as Error).message }, 'evidence checkpoint not published to a sink; retrying next round');
            return;
          }
        } else {
          log.error({ seq: Number(row.seq), problem: checkpoint }, 'a stored evidence checkpoint is unreadable: not published');
        }
        await db.query(`UPDATE evidence_checkpoint_deliveries SET seq = $2, delivered_at = now() WHERE sink = $1 AND leased_by = $3`, [sink.id, Number(row.seq), holder]);
      }
    } finally {
      await db.query(`UPDATE evidence_checkpoint_deliveries SET leased_by = NULL, leased_until = NULL WHERE sink = $1 AND leased_by = $2`, [sink.id, holder]).catch(() => undefined);
    }
  };

  return {
    async register() {
      for (const sink of options.sinks) {
        await db.query(
          `INSERT INTO evidence_checkpoint_deliveries (sink, seq) VALUES ($1, (SELECT coalesce(max(seq), 0) FROM evidence_checkpoints)) ON CONFLICT (sink) DO NOTHING`,
          [sink.id],
        );
      }
    },
    async deliverAll() {
      await Promise.all(
        options.sinks.map((sink) =>
          deliver(sink).catch((err: unknown) => log.warn({ sink: sink.name, code: (err as { code?: string }).code }, 'evidence checkpoint delivery failed; retrying next round')),
        ),
      );
    },
  };
}
