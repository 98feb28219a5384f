import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { genesisHash } from '../../src/evidence/hash';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceInput, EvidenceRecord, Outcome } from '../../src/evidence/types';
import { openSharedTestDatabases, openTestDatabaseOn, testEngines } from '../harness/db';

const open: Database[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
});

function step(key: string, extra: Partial<EvidenceInput> = {}): EvidenceInput {
  const n = Number(/\d+/.exec(key)?.[0] ?? 0);
  return {
    stepKey: key,
    employeeId: `bamboohr-${n % 97}`,
    hrSource: 'bamboohr',
    actorType: 'engine',
    actorId: 'leaver-workflow',
    action: 'sessions.kill',
    system: n % 2 ? 'okta' : 'aws',
    occurredAt: new Date(Date.UTC(2024, 4, 1, 10, 0, 0, n)).toISOString(),
    outcome: 'success',
    context: { workflowId: `leaver-bamboohr-${n % 97}-ev`, n, nested: { b: [n], a: 'x' } },
    ...extra,
  };
}

/** Every row, in seq order. */
async function rows(db: Database): Promise<{ seq: number; stepKey: string }[]> {
  const result = await db.query<{ seq: string | number; step_key: string }>('SELECT seq, step_key FROM evidence_events ORDER BY seq');
  return result.rows.map((r) => ({ seq: Number(r.seq), stepKey: r.step_key }));
}

/** Gapless from 1, one row per stepKey, and the chain verifies. */
async function expectIntactChain(db: Database, count: number): Promise<void> {
  const all = await rows(db);
  expect(all.map((r) => r.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(new Set(all.map((r) => r.stepKey)).size).toBe(count);
  expect(await new EvidenceStore(db).verify({ pageSize: 333 })).toMatchObject({ ok: true, checked: count, problemCount: 0 });
}

/** Each record is the one its caller asked for. */
function expectOwnRecord(record: EvidenceRecord, input: EvidenceInput): void {
  expect(record).toMatchObject({ stepKey: input.stepKey, employeeId: input.employeeId, system: input.system, outcome: input.outcome, context: input.context });
}

describe.each(testEngines)('evidence group commit on %s', (engine) => {
  async function database(): Promise<Database> {
    const db = await openTestDatabaseOn(engine, 'evgc');
    open.push(db);
    return db;
  }

  it('2,000 appends from 200 callers: batched, gapless, verified, each caller its own row, twins collapsed', async () => {
    const db = await database();
    const batches: number[] = [];
    const store = new EvidenceStore(db, { maxBatch: 64, onBatch: (n) => batches.push(n) });
    // 200 callers, 10 steps each, one after another; every caller's 5th step is also sent by a
    // twin at the same moment (a retry racing its original), so twins land in one batch or in two.
    const callers = await Promise.all(
      Array.from({ length: 200 }, async (_, caller) => {
        const mine: [EvidenceInput, EvidenceRecord][] = [];
        const twins: [EvidenceRecord, EvidenceRecord][] = [];
        for (let k = 0; k < 10; k++) {
          const input = step(`s${caller * 10 + k}`);
          if (k === 4) {
            const [a, b] = await Promise.all([store.append(input), store.append(input)]);
            twins.push([a, b]);
            mine.push([input, a]);
          } else {
            mine.push([input, await store.append(input)]);
          }
        }
        return { mine, twins };
      }),
    );
    for (const { mine, twins } of callers) {
      for (const [input, record] of mine) expectOwnRecord(record, input);
      for (const [a, b] of twins) expect(b).toEqual(a);
    }
    await expectIntactChain(db, 2000);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(2200);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(Math.max(...batches)).toBeLessThanOrEqual(64);
    expect(batches.length).toBeLessThan(2200);

    // A retry long after the first write returns it unchanged and writes nothing.
    const again = await store.append(step('s123', { outcome: 'failure' }));
    expect(again).toEqual(callers[12]!.mine[3]![1]);
    expect((await rows(db)).length).toBe(2000);
  });

  it('links every row of a batch to the one before and stamps the batch with one recorded_at', async () => {
    const db = await database();
    const store = new EvidenceStore(db);
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(step(`a${i}`))));
    expect(first[0]!.prevHash).toBe(genesisHash);
    first.forEach((record, i) => {
      expect(record.seq).toBe(i + 1);
      if (i > 0) expect(record.prevHash).toBe(first[i - 1]!.hash);
    });
    expect(new Set(first.map((r) => r.recordedAt)).size).toBe(1);
    const next = await store.append(step('b1'));
    expect(next).toMatchObject({ seq: 31, prevHash: first[29]!.hash });
    expect(next.recordedAt >= first[0]!.recordedAt).toBe(true);
  });

  it('a twin in the same batch gets the first write, whatever it says itself', async () => {
    const db = await database();
    const batches: number[] = [];
    const store = new EvidenceStore(db, { onBatch: (n) => batches.push(n) });
    const [first, twin, other] = await Promise.all([
      store.append(step('t1')),
      store.append(step('t1', { outcome: 'failure', context: { retried: true } })),
      store.append(step('t2')),
    ]);
    expect(twin).toEqual(first);
    expect(first).toMatchObject({ seq: 1, outcome: 'success' });
    expect(other).toMatchObject({ seq: 2, prevHash: first!.hash });
    expect(batches).toEqual([3]);
    await expectIntactChain(db, 2);
  });

  it('a row the database refuses fails alone with its own error; the rest of its batch is written', async () => {
    const db = await database();
    const batches: number[] = [];
    const store = new EvidenceStore(db, { onBatch: (n) => batches.push(n) });
    const inputs = Array.from({ length: 20 }, (_, i) => step(`r${i}`));
    inputs[5] = step('r5', { outcome: 'exploded' as Outcome }); // refused by the outcome CHECK
    inputs[13] = step('r13', { employeeId: 'bamboohr-\u0000' }); // text cannot hold a NUL byte
    const outcomes = await Promise.all(inputs.map((input) => store.append(input).then((record) => ({ record }), (error: { code?: string }) => ({ error }))));
    expect(outcomes[5]).toMatchObject({ error: { code: '23514' } });
    expect(outcomes[13]).toMatchObject({ error: { code: '22021' } });
    const good = outcomes.flatMap((o, i) => ('record' in o ? [[inputs[i]!, o.record] as const] : []));
    expect(good).toHaveLength(18);
    for (const [input, record] of good) expectOwnRecord(record, input);
    // Every record reported written is in the table, in submission order, and nothing else is.
    expect(await rows(db)).toEqual(good.map(([, record], i) => ({ seq: i + 1, stepKey: record.stepKey })));
    expect(good.map(([, r]) => r.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(18);
    await expectIntactChain(db, 18);
    // The refused step can be written once its data is fixed.
    expect(await store.append(step('r5'))).toMatchObject({ seq: 19, stepKey: 'r5' });
  });

  it('an input that cannot be stored fails its caller before it reaches a batch', async () => {
    const db = await database();
    const store = new EvidenceStore(db);
    const [bad, good] = await Promise.allSettled([store.append(step('v1', { occurredAt: '2024-05-01 10:00' })), store.append(step('v2'))]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/not an ISO-8601 timestamp/) as unknown } });
    expect(good).toMatchObject({ status: 'fulfilled', value: { seq: 1, stepKey: 'v2' } });
  });

  it('writes one transaction per append with groupCommit off, on the same chain', async () => {
    const db = await database();
    const perAppend = new EvidenceStore(db, { groupCommit: false });
    const grouped = new EvidenceStore(db);
    const records = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? perAppend : grouped).append(step(`m${i % 50}`))));
    records.forEach((record, i) => expect(record.stepKey).toBe(`m${i % 50}`));
    await expectIntactChain(db, 50);
  });
});

describe.runIf(testEngines.includes('postgres'))('evidence group commit from two processes on Postgres', () => {
  it('two stores with their own pools keep one gapless chain; a step sent by both is written once', async () => {
    const dbs = await openSharedTestDatabases('evgc2', 2);
    open.push(...dbs);
    const stores = dbs.map((db) => new EvidenceStore(db, { maxBatch: 50 }));
    // Each store: 100 callers x 10 steps; step keys p0..p1499 so that 500 of them are sent by both.
    const sent = await Promise.all(
      stores.map((store, p) =>
        Promise.all(
          Array.from({ length: 100 }, async (_, caller) => {
            const got: [string, EvidenceRecord][] = [];
            for (let k = 0; k < 10; k++) {
              const key = `p${p * 500 + caller * 10 + k}`;
              got.push([key, await store.append(step(key))]);
            }
            return got;
          }),
        ),
      ),
    );
    const byKey = new Map<string, EvidenceRecord[]>();
    for (const [key, record] of sent.flat(2)) {
      expect(record.stepKey).toBe(key);
      byKey.set(key, [...(byKey.get(key) ?? []), record]);
    }
    expect(byKey.size).toBe(1500);
    const shared = [...byKey.values()].filter((list) => list.length === 2);
    expect(shared).toHaveLength(500);
    for (const [a, b] of shared) expect(b).toEqual(a);
    await expectIntactChain(dbs[0]!, 1500);
  });
});
