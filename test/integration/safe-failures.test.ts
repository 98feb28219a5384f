/**
 * A real database refusal that quotes a row (a unique violation whose detail names the address)
 * reaches Temporal, evidence and the log as its SQLSTATE alone; other errors keep their type with
 * addresses scrubbed from message and stack.
 */
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import type { DestinationStream } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { safeErrorText } from '../../src/intake/safe-error';
import { createLogger } from '../../src/log';
import { withSafeFailures } from '../../src/runtime/safe-activities';
import { openTestDatabase } from '../harness/db';

const email = 'zq.unique7781@acme.test';
let db: Database;
let duplicate: Error;

beforeAll(async () => {
  db = await openTestDatabase('safe_failures');
  await db.query('CREATE TABLE people (email text UNIQUE)');
  await db.query('INSERT INTO people VALUES ($1)', [email]);
  duplicate = (await db.query('INSERT INTO people VALUES ($1)', [email]).catch((e: unknown) => e)) as Error;
});

afterAll(async () => {
  await db?.close();
});

describe('errors that leave an activity', () => {
  it('the duplicate quotes the address (what is being kept out)', () => {
    expect(JSON.stringify({ ...duplicate, message: duplicate.message })).toContain(email);
  });

  it('a database error becomes a retryable failure naming its SQLSTATE only', async () => {
    const activities = withSafeFailures({ store: async () => Promise.reject(duplicate) });
    const thrown = (await activities.store().catch((e: unknown) => e)) as ApplicationFailure;
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: 'DatabaseError', nonRetryable: false, message: 'database error (SQLSTATE 23505)' });
    expect(JSON.stringify({ ...thrown, stack: thrown.stack })).not.toContain(email);
    expect(safeErrorText(duplicate)).toBe('database error (SQLSTATE 23505)');
  });

  it('another error keeps its type, its message and stack scrubbed of addresses', async () => {
    class VendorError extends Error {
      override readonly name = 'VendorError';
    }
    const activities = withSafeFailures({ call: async () => Promise.reject(new VendorError(`no user ${email}`)) });
    const thrown = (await activities.call().catch((e: unknown) => e)) as Error;
    expect(thrown).toBeInstanceOf(VendorError);
    expect(thrown.message).toBe('no user [redacted]');
    expect(thrown.stack).not.toContain(email);
  });

  it('the logger writes the database error as its SQLSTATE, and redacts name-shaped keys', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }) as unknown as DestinationStream;
    const log = createLogger('info', destination);
    log.error({ err: duplicate }, 'could not store');
    log.info({ worker: { firstName: 'Zebulonica', lastName: 'Quuxworth-Pfiffel', name: 'Zebulonica Q' }, displayName: 'Zeb' }, `hello ${encodeURIComponent(email)}`);
    const all = lines.join('');
    expect(all).toContain('"code":"23505"');
    for (const text of [email, encodeURIComponent(email), 'Zebulonica', 'Quuxworth', 'Zeb"']) expect(all).not.toContain(text);
  });
});
