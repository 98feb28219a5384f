import { context } from '@opentelemetry/api';
import { contextOf } from '../tracing/context';
import { randomBytes } from 'node:crypto';
import type { HrEvent } from '../hris/hr-event';
import type { IntakeLogger } from './accept';
import type { Inbox, InboxRow } from './inbox';
import { safeError } from './safe-error';

/**
 * Hands stored HR events to Temporal, continuously and apart from the webhooks' answers. A
 * few lanes run side by side; each claims the oldest due event whose worker has nothing older
 * waiting (Inbox.claim), hands it over, and claims the next. So one worker's events go over one
 * at a time in the order they were stored, different workers' in parallel, and several API
 * processes can share one inbox (a claim is a lease that another process respects).
 *
 * A lane that finds nothing sleeps until woken (an event was just stored: the normal path, a
 * few milliseconds from webhook to workflow) or until `idleMs` passes (events stored by another
 * process, retries coming due). A failed hand-over is retried after an exponential backoff,
 * capped; when a hand-over succeeds again after failures, Temporal is back, and every failed
 * event is made due at once instead of waiting out its backoff. Nothing stored is dropped:
 * an event stays in the inbox until Temporal has taken it, and the workflow ignores an event ID
 * it has seen, so a hand-over repeated after a lost answer or an expired lease is harmless.
 */
export interface DispatcherOptions {
  inbox: Inbox;
  dispatch: (event: HrEvent) => Promise<string[]>;
  log: IntakeLogger;
  /** Hand-overs in flight at once (default 8). */
  lanes?: number;
  /** Longest sleep of an idle lane (default 1 s). */
  idleMs?: number;
  /** Backoff after the first failure, doubling per further failure up to maxBackoffMs (defaults 250 ms, 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a claim holds; longer than a hand-over can take (default 60 s). */
  leaseMs?: number;
}

export class InboxDispatcher {
  private readonly claimant = `dispatcher-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly lanes: number;
  private readonly idleMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly leaseMs: number;
  private running = false;
  private lanesDone: Promise<void> = Promise.resolve();
  /** Idle lanes, each waiting to be woken. */
  private readonly sleepers: (() => void)[] = [];
  /** Wake-ups nobody was asleep for: a lane that has just found nothing goes round once more. */
  private unheard = 0;
  /** A hand-over failed since the last success: the next success means Temporal is back. */
  private failing = false;

  constructor(private readonly options: DispatcherOptions) {
    this.lanes = Math.max(1, options.lanes ?? 8);
    this.idleMs = options.idleMs ?? 1000;
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /** Starts the lanes; they run until stop(). */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.lanesDone = Promise.all(Array.from({ length: this.lanes }, () => this.lane(false))).then(() => undefined);
    return this;
  }

  /**
   * `count` events were stored: as many idle lanes look now (one claim query each, so a webhook
   * does not set every lane on the database at once).
   */
  wake(count = 1): void {
    for (let i = 0; i < count; i += 1) {
      const sleeper = this.sleepers.shift();
      if (sleeper) sleeper();
      else this.unheard = Math.min(this.lanes, this.unheard + 1);
    }
  }

  private wakeAll(): void {
    this.wake(this.lanes);
  }

  /** Hands over everything due now, then returns (for a caller with no dispatcher running, such as the poll). */
  async drainDue(): Promise<void> {
    await Promise.all(Array.from({ length: this.lanes }, () => this.lane(true)));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeAll();
    await this.lanesDone;
  }

  private async lane(untilIdle: boolean): Promise<void> {
    while (untilIdle || this.running) {
      let row: InboxRow | undefined;
      try {
        row = await this.options.inbox.claim(this.claimant, this.leaseMs);
      } catch (err) {
        this.options.log.warn({ err: safeError(err) }, 'inbox unavailable; hand-over paused');
        if (untilIdle) return;
        await this.sleep(this.idleMs);
        continue;
      }
      if (row) {
        await this.handOver(row);
        continue;
      }
      if (untilIdle) return;
      if (this.unheard > 0) this.unheard -= 1;
      else await this.sleep(this.idleMs);
    }
  }

  private async handOver(row: InboxRow): Promise<void> {
    const { inbox, dispatch, log } = this.options;
    let workflowIds: string[];
    try {
      // The delivery's trace goes on: the workflows started or signalled now are its children.
      workflowIds = await context.with(contextOf(row.traceParent), () => dispatch(row.event));
    } catch (err) {
      this.failing = true;
      const retryInMs = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(row.attempts, 30));
      log.warn({ eventId: row.eventId, attempts: row.attempts + 1, retryInMs, err: safeError(err) }, 'hand-over to Temporal failed; retrying later');
      await inbox.markFailed(row.eventId, err, retryInMs).catch((e: unknown) => log.error({ eventId: row.eventId, err: safeError(e) }, 'could not record a failed hand-over'));
      return;
    }
    await inbox.markDispatched(row.eventId, workflowIds).catch((e: unknown) =>
      // The lease runs out and the event is handed over again, which the workflow absorbs.
      log.error({ eventId: row.eventId, err: safeError(e) }, 'could not record a hand-over'),
    );
    if (row.attempts > 0) log.info({ eventId: row.eventId, attempts: row.attempts + 1 }, 'stored HR event handed over after a retry');
    if (this.failing) {
      this.failing = false;
      const due = await inbox.retryFailedNow().catch(() => 0);
      if (due > 0) log.info({ due }, 'Temporal answers again; failed hand-overs are due now');
      this.wake(Math.min(this.lanes, due));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const at = this.sleepers.indexOf(done);
        if (at !== -1) this.sleepers.splice(at, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.push(done);
    });
  }
}
