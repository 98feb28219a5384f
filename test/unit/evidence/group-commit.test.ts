import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../../src/evidence/group-commit';

class RowError extends Error {
  readonly code = '23514';
}

/** A write whose every call is recorded and, unless `hold` is set, answers at once. */
function recordingWrite(options: { failOn?: (item: number) => Error | undefined } = {}) {
  const writes: number[][] = [];
  let release: (() => void) | undefined;
  const state = {
    writes,
    hold: false,
    /** Lets the held write finish. */
    release: () => release?.(),
    write: async (items: readonly number[]): Promise<string[]> => {
      writes.push([...items]);
      if (state.hold) await new Promise<void>((r) => (release = r));
      for (const item of items) {
        const err = options.failOn?.(item);
        if (err) throw err;
      }
      return items.map((i) => `row-${i}`);
    },
  };
  return state;
}

const blamesAnItem = (err: unknown) => err instanceof RowError;
const settled = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));

afterEach(() => {
  vi.useRealTimers();
});

describe('GroupCommit', () => {
  it('writes everything submitted together in one write, answering each caller with its own result', async () => {
    const w = recordingWrite();
    const sizes: number[] = [];
    const gc = new GroupCommit(w.write, { maxBatch: 100, blamesAnItem, onBatch: (n) => sizes.push(n) });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)));
    expect(results).toEqual(['row-1', 'row-2', 'row-3', 'row-4', 'row-5']);
    expect(w.writes).toEqual([[1, 2, 3, 4, 5]]);
    expect(sizes).toEqual([5]);
  });

  it('writes a lone item at once, without waiting on a timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    const gc = new GroupCommit(recordingWrite().write, { maxBatch: 100, blamesAnItem });
    // Fake timers never fire here: were the write behind one, this would lose the race.
    const deadline = new Promise((resolve) => setImmediate(() => setImmediate(() => resolve('timer'))));
    expect(await Promise.race([gc.submit(7), deadline])).toBe('row-7');
  });

  it('queues what arrives during a write and takes it all in the next one', async () => {
    const w = recordingWrite();
    w.hold = true;
    const gc = new GroupCommit(w.write, { maxBatch: 100, blamesAnItem });
    const first = gc.submit(1);
    await vi.waitFor(() => expect(w.writes).toHaveLength(1));
    const followers = [2, 3, 4].map((i) => gc.submit(i));
    expect(gc.waiting).toBe(3);
    w.hold = false;
    w.release();
    expect(await first).toBe('row-1');
    expect(await Promise.all(followers)).toEqual(['row-2', 'row-3', 'row-4']);
    expect(w.writes).toEqual([[1], [2, 3, 4]]);
  });

  it('takes at most maxBatch items per write, in the order submitted', async () => {
    const w = recordingWrite();
    const gc = new GroupCommit(w.write, { maxBatch: 4, blamesAnItem });
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    expect(w.writes).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('splits a batch an item is blamed for until the bad items fail alone; the others are written, in order', async () => {
    const w = recordingWrite({ failOn: (i) => (i === 3 || i === 6 ? new RowError(`item ${i} refused`) : undefined) });
    const gc = new GroupCommit(w.write, { maxBatch: 100, blamesAnItem });
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => settled(gc.submit(i))));
    expect(outcomes.map((o) => ('value' in o ? o.value : (o.error as Error).message))).toEqual([
      'row-0',
      'row-1',
      'row-2',
      'item 3 refused',
      'row-4',
      'row-5',
      'item 6 refused',
      'row-7',
    ]);
    // Only writes that did not throw count as written; their items keep the submitted order.
    const committed = w.writes.filter((batch) => !batch.includes(3) && !batch.includes(6)).flat();
    expect(committed).toEqual([0, 1, 2, 4, 5, 7]);
  });

  it('fails every item of a write that failed for another reason, and reports none as written', async () => {
    let down = true;
    const write = async (items: readonly number[]) => {
      if (down) throw new Error('connection terminated');
      return items.map((i) => `row-${i}`);
    };
    const sizes: number[] = [];
    const gc = new GroupCommit(write, { maxBatch: 100, blamesAnItem, onBatch: (n) => sizes.push(n) });
    const outcomes = await Promise.all([1, 2, 3].map((i) => settled(gc.submit(i))));
    expect(outcomes).toEqual([1, 2, 3].map(() => ({ error: new Error('connection terminated') })));
    expect(sizes).toEqual([]);
    down = false;
    expect(await gc.submit(4)).toBe('row-4');
  });

  it('fails a write that answers for fewer items than it took', async () => {
    const gc = new GroupCommit(async (items: readonly number[]) => items.slice(1).map(String), { maxBatch: 100, blamesAnItem });
    const outcomes = await Promise.all([1, 2].map((i) => settled(gc.submit(i))));
    expect(outcomes.every((o) => 'error' in o && /answered 1 results for 2 items/.test((o.error as Error).message))).toBe(true);
  });

  it('refuses a maxBatch below one', () => {
    expect(() => new GroupCommit(async () => [], { maxBatch: 0, blamesAnItem })).toThrow(/maxBatch/);
  });
});
