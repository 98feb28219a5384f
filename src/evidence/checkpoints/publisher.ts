import type { Database } from '../../db/database';
import type { Logger } from '../../log';
import { checkpointLine, signCheckpoint, type Checkpoint } from './checkpoint';
import { publicKeyPem, type SigningKey } from './signing-key';
import { checkpointDeliveries } from './deliveries';
import type { CheckpointSink } from './sinks';
import { lastCheckpointedSeq, readChainHead, saveCheckpoint } from './store';

export interface CheckpointPublisherOptions {
  db: Database;
  key: SigningKey;
  sinks: readonly CheckpointSink[];
  everyMs: number;
  log: Logger;
  /** Checkpoints a sink may fall behind by before the oldest undelivered are skipped (default 1000). */
  maxPending?: number;
  now?: () => Date;
}

export interface CheckpointPublisher {
  /** One round now (tests; the timer runs them otherwise). Resolves with what it signed, if anything. */
  round(): Promise<Checkpoint | undefined>;
  stop(): Promise<void>;
}

/**
 * Every `everyMs`, when the chain has grown since the last checkpoint, signs its head and
 * publishes the checkpoint to every sink. Every worker process runs one; a transaction advisory
 * lock and the evidence_checkpoints table make exactly one of them sign each new head, so sinks
 * get each checkpoint once whatever the number of workers. What each sink has had is kept in the
 * database (see deliveries.ts): a sink that fails gets what it missed next round, from whichever
 * worker is running then, and never holds the others back.
 */
export function startCheckpointPublisher(options: CheckpointPublisherOptions): CheckpointPublisher {
  const { db, key, log } = options;
  const maxPending = options.maxPending ?? 1000;
  const now = options.now ?? (() => new Date());
  const pem = publicKeyPem(key);
  const deliveries = checkpointDeliveries({ db, sinks: options.sinks, log, maxPending, leaseMs: Math.max(60_000, 2 * options.everyMs) });
  let registered = false;
  let stopped = false;
  let warnedBehind = 0;

  const sign = (): Promise<Checkpoint | undefined> =>
    db.transaction(async (tx) => {
      const { rows } = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('jml.evidence_checkpoints.' || current_schema())) AS locked`);
      if (!rows[0]?.locked) return undefined;
      const head = await readChainHead(tx);
      const last = await lastCheckpointedSeq(tx);
      if (!head || head.seq <= last) {
        if ((head?.seq ?? 0) < last && warnedBehind !== last) {
          warnedBehind = last;
          log.error({ headSeq: head?.seq ?? 0, checkpointedSeq: last }, 'evidence chain is shorter than its last checkpoint: rows were removed; run jml evidence verify --checkpoints');
        }
        return undefined;
      }
      const checkpoint = signCheckpoint(key, head, now());
      await saveCheckpoint(tx, checkpoint, pem, checkpointLine(checkpoint));
      return checkpoint;
    });

  const round = async (): Promise<Checkpoint | undefined> => {
    if (stopped) return undefined;
    let signed: Checkpoint | undefined;
    try {
      // Before the first signing: a sink new to the database starts with the next checkpoint.
      if (!registered) {
        await deliveries.register();
        registered = true;
      }
      signed = await sign();
    } catch (err) {
      log.warn({ code: (err as { code?: string }).code }, 'evidence checkpoint round failed; retrying next round');
    }
    if (signed) log.info({ seq: signed.seq, keyId: signed.keyId }, 'evidence checkpoint signed');
    if (registered) await deliveries.deliverAll();
    return signed;
  };

  let inFlight: Promise<Checkpoint | undefined> = Promise.resolve(undefined);
  const next = () => (inFlight = inFlight.then(round));
  const timer = setInterval(() => void next(), options.everyMs);
  timer.unref();
  return {
    round: next,
    async stop() {
      clearInterval(timer);
      // A last round, so a head written just before shutdown is not left unsigned for long.
      await next();
      stopped = true;
      await inFlight;
    },
  };
}
