import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database';
import { createLogger } from '../../src/log';
import { startWorkerCensus } from '../../src/runtime/worker-census';
import { openTestDatabase } from '../harness/db';

/** Each system's configured limits are held across worker processes: each keeps its share. */
let db: Database;
beforeAll(async () => {
  db = await openTestDatabase('census');
});
afterAll(async () => {
  await db?.close();
});

describe('worker census', () => {
  it('tells every pacer how many worker processes share the limits, as they come and go', async () => {
    const log = createLogger('silent');
    const shares = [[] as number[], [] as number[]];
    const pacer = (i: 0 | 1) => ({ setShare: (n: number) => void shares[i]!.push(n) });
    const a = startWorkerCensus({ db, shared: [pacer(0)], log, everyMs: 100 });
    await a.ready;
    expect(shares[0]!.at(-1)).toBe(1);
    const b = startWorkerCensus({ db, shared: [pacer(1)], log, everyMs: 100 });
    await vi.waitFor(() => {
      expect(shares[0]!.at(-1)).toBe(2);
      expect(shares[1]!.at(-1)).toBe(2);
    }, { timeout: 5000, interval: 50 });
    await b.stop();
    await vi.waitFor(() => expect(shares[0]!.at(-1)).toBe(1), { timeout: 5000, interval: 50 });
    await a.stop();
    const { rows } = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM worker_census');
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
