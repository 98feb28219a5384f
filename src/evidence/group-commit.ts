/**
 * Group commit: callers submit one item each; one write at a time takes everything queued
 * (up to maxBatch) and commits it together, and whatever arrives meanwhile waits for the next
 * write. A lone item is written at once (no timer); under load, batches grow by themselves.
 */
export interface GroupCommitOptions {
  /** Most items one write takes. */
  maxBatch: number;
  /**
   * Whether a failed write may be blamed on one of its items (bad data, a refused constraint).
   * Such a batch is split in halves and retried until the items at fault fail alone, so one
   * bad item never fails the others. Any other failure fails every item of the batch.
   */
  blamesAnItem: (err: unknown) => boolean;
  /** Called after each successful write with the number of items it took. */
  onBatch?: (items: number) => void;
}

/** Writes items together and answers with one result per item, in order; throws for all or none. */
export type BatchWrite<T, R> = (items: readonly T[]) => Promise<readonly R[]>;

interface Waiter<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Waiter<T, R>[] = [];
  private writing = false;

  constructor(
    private readonly write: BatchWrite<T, R>,
    private readonly options: GroupCommitOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be a whole number >= 1 (got ${options.maxBatch})`);
  }

  /** Resolves once the write that took this item has committed; rejects with that write's error. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      // A microtask, not a timer: callers submitting in the same tick share the first write.
      queueMicrotask(() => void this.drain());
    });
  }

  /** Items waiting for a write (not counting the write in progress). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        // commit() settles every item itself; this only guards against a throwing option
        // callback leaving callers waiting (settling a promise twice does nothing).
        await this.commit(batch).catch((err: unknown) => batch.forEach((w) => w.reject(err)));
      }
    } finally {
      this.writing = false;
    }
  }

  private async commit(batch: Waiter<T, R>[]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.write(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch write answered ${results.length} results for ${batch.length} items`);
    } catch (err) {
      if (batch.length > 1 && this.options.blamesAnItem(err)) {
        // Halves in order, so items keep the order they were submitted in.
        const half = Math.ceil(batch.length / 2);
        await this.commit(batch.slice(0, half));
        await this.commit(batch.slice(half));
      } else {
        for (const w of batch) w.reject(err);
      }
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
    this.options.onBatch?.(batch.length);
  }
}
