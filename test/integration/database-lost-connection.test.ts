import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { openTestDatabaseOn } from '../harness/db';

/**
 * A server that goes away mid-transaction (stopped, or the backend killed) must fail that
 * transaction, not the process: the lost connection's 'error' event has a listener, the
 * statement after it rejects, and the pool goes on with a fresh connection.
 */
describe.skipIf(!process.env.DATABASE_URL)('a connection lost inside a transaction (postgres)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabaseOn('postgres', 'lostconn');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('rejects the transaction and leaves the process and the pool working', async () => {
    const failed = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Killed from another connection while this one sits between two statements.
      await db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    const { rows } = await db.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]!.one).toBe(1);
    expect(await db.transaction(async (tx) => (await tx.query<{ two: number }>('SELECT 2 AS two')).rows[0]!.two)).toBe(2);
  });
});
