import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { HoldStore } from '../../src/leaver/hold-store';
import type { MassTerminationSettings } from '../../src/leaver/mass-termination';
import { openTestDatabaseOn, testEngines } from '../harness/db';

/** Counting leavers per HRIS and opening, joining and deciding holds, on Postgres and PGlite. */
const settings: MassTerminationSettings = { threshold: { count: 3 }, windowMs: 3_600_000, holdSessionKills: false, remindEveryMs: 0, escalateAfterMs: 0, deciders: [] };
const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

describe.each(testEngines)('hold store on %s', (engine) => {
  async function store() {
    const db = await openTestDatabaseOn(engine, 'holds');
    opened.push(db);
    return { db, holds: new HoldStore(db) };
  }
  const arrival = (n: number, at = new Date()) => ({ workflowId: `leaver-bamboohr-45${n}-x`, hrSource: 'bamboohr', employeeId: `45${n}`, hrEventId: `ev-${n}`, at });

  it('lets the threshold through, holds the next, and the rest join the open hold', async () => {
    const { holds } = await store();
    const answers = [];
    for (let n = 10; n < 16; n++) answers.push(await holds.admit(arrival(n), settings));
    expect(answers.slice(0, 3).every((a) => a.holdId === undefined)).toBe(true);
    expect(answers[3]).toMatchObject({ holdId: 'hold-bamboohr-1', opened: true, inWindow: 4, limit: 3 });
    expect(answers.slice(4).map((a) => [a.holdId, a.opened])).toEqual([
      ['hold-bamboohr-1', false],
      ['hold-bamboohr-1', false],
    ]);
    // A retried planning step gets the same answer.
    expect(await holds.admit(arrival(13), settings)).toMatchObject({ holdId: 'hold-bamboohr-1', opened: true });
    expect(await holds.admit(arrival(10), settings)).toMatchObject({ opened: false });
    expect((await holds.admit(arrival(10), settings)).holdId).toBeUndefined();
    // Another HRIS is counted apart.
    expect((await holds.admit({ ...arrival(16), hrSource: 'workday' }, settings)).holdId).toBeUndefined();
    expect((await holds.get('hold-bamboohr-1'))?.members).toBe(3);
  });

  it('concurrent leavers are counted one after the other: exactly the threshold slips through', async () => {
    const { holds } = await store();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => holds.admit(arrival(20 + i), settings)));
    expect(answers.filter((a) => a.holdId === undefined)).toHaveLength(3);
    expect(answers.filter((a) => a.opened)).toHaveLength(1);
    expect(new Set(answers.filter((a) => a.holdId).map((a) => a.holdId))).toEqual(new Set(['hold-bamboohr-1']));
  });

  it('decides once; nobody joins a decided hold; the count starts again after the decision', async () => {
    const { holds } = await store();
    for (let n = 40; n < 45; n++) await holds.admit(arrival(n), settings);
    const first = await holds.decide('hold-bamboohr-1', { decision: 'abort', decidedBy: 'api:admin', decidedAt: new Date().toISOString(), reason: 'bad import' });
    expect(first?.hold).toMatchObject({ status: 'aborted', decidedBy: 'api:admin', reason: 'bad import', members: 2 });
    expect(first?.members.map((m) => m.employeeId)).toEqual(['4543', '4544']);
    const second = await holds.decide('hold-bamboohr-1', { decision: 'release', decidedBy: 'U0OTHER', decidedAt: new Date().toISOString() });
    expect(second?.hold.status).toBe('aborted');
    expect(await holds.decide('hold-bamboohr-9', { decision: 'release', decidedBy: 'x', decidedAt: new Date().toISOString() })).toBeUndefined();
    const later = new Date(Date.now() + 1000);
    const after = [];
    for (let n = 50; n < 54; n++) after.push(await holds.admit(arrival(n, later), settings));
    expect(after.map((a) => a.holdId ?? null)).toEqual([null, null, null, 'hold-bamboohr-2']);
  });

  it('a share counts against the workers the engine knows to be active', async () => {
    const { db, holds } = await store();
    for (let n = 0; n < 40; n++) {
      await db.query(`INSERT INTO hr_inbox (event_id, source, employee_id, kind, payload) VALUES ($1, 'bamboohr', $2, 'hire', '{}')`, [`hire-${n}`, `46${String(n).padStart(2, '0')}`]);
    }
    const share = { ...settings, threshold: { share: 0.05 } };
    const answers = [];
    for (let n = 60; n < 64; n++) answers.push(await holds.admit(arrival(n), share));
    // 5% of 40 active workers: 2 let through, the third held.
    expect(answers.map((a) => a.holdId ?? null)).toEqual([null, null, 'hold-bamboohr-1', 'hold-bamboohr-1']);
    expect(answers[0]?.limit).toBe(2);
  });
});
