import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { EvidenceStore } from '../../src/evidence/store';
import type { EvidenceInput } from '../../src/evidence/types';
import { testEngines } from '../harness/db';

/** A database as the version before monthly partitions left it, with evidence in it, then upgraded. */
describe.each(testEngines)('upgrading evidence to monthly partitions (%s)', (engine) => {
  let db: Database;
  afterEach(async () => db?.close());

  const step = (n: number): EvidenceInput => ({
    stepKey: `upgrade-${n}`,
    employeeId: `u${n % 7}`,
    hrSource: 'bamboohr',
    actorType: 'engine',
    actorId: 'jml-engine',
    action: n % 2 ? 'sessions.kill' : 'account.disable',
    system: 'okta',
    occurredAt: new Date(Date.UTC(2026, 0, 1 + n)).toISOString(),
    outcome: 'success',
    context: { workflowId: `leaver-bamboohr-u${n % 7}-e` },
  });

  it('moves every row into its month unchanged: the chain verifies, steps stay idempotent, appends chain on', async () => {
    db = await openDatabase({ ...(engine === 'postgres' ? { url: process.env.DATABASE_URL } : {}), schema: `upgrade_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`, poolSize: 2 });
    await migrate(db, { through: '016_offboarding_report_runs.sql' });
    const before = new EvidenceStore(db, { groupCommit: false });
    for (let n = 1; n <= 40; n++) await before.append(step(n));
    const kind = async () => (await db.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = 'evidence_events'::regclass`)).rows[0]!.relkind;
    expect(await kind()).toBe('r');
    const rowsBefore = await before.range({});

    const applied = await migrate(db);
    expect(applied[0]).toBe('017_evidence_partitions.sql');
    expect(await kind()).toBe('p');
    const store = new EvidenceStore(db);
    const rowsAfter = await store.range({});
    expect(rowsAfter).toEqual(rowsBefore);
    const where = await db.query<{ part: string; n: string }>(`SELECT tableoid::regclass::text AS part, count(*) AS n FROM evidence_events GROUP BY 1`);
    // Recorded this month (or, run at a month's turn, the one before too).
    expect(where.rows.every((r) => /^evidence_events_\d{4}_\d{2}$/.test(r.part))).toBe(true);
    expect(where.rows.reduce((n, r) => n + Number(r.n), 0)).toBe(40);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 40 });

    // The store's lock, not a unique index, keeps a step to one row now: a retried step still writes nothing.
    const again = await store.append(step(7));
    expect(again).toEqual(rowsBefore[6]);
    const next = await store.append(step(41));
    expect(next.seq).toBe(41);
    expect(next.prevHash).toBe(rowsBefore.at(-1)!.hash);
    expect(await store.verify()).toMatchObject({ ok: true, checked: 41 });
    expect(await migrate(db)).toEqual([]);
  });
});
