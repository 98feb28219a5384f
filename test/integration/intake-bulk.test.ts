import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webhookRouter } from '../../src/api/webhook-router';
import type { Database } from '../../src/db/database';
import { bambooReceiver } from '../../src/hris/bamboohr/receiver';
import { signBambooBody } from '../../src/hris/bamboohr/signature';
import type { HrEvent } from '../../src/hris/hr-event';
import { InboxDispatcher } from '../../src/intake/dispatcher';
import { Inbox } from '../../src/intake/inbox';
import { openTestDatabase } from '../harness/db';

/**
 * A field-based BambooHR delivery of a thousand employees: stored with one statement before the
 * answer (no look-up first: the payload is complete), handed over after it, each event once; a
 * redelivery that mixes stored and new employees stores only the new ones. Employee IDs 95xxxx.
 */
const secret = 'bamboo-bulk-secret-for-tests';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
let db: Database;
let statements: string[] = [];
let server: Server;
let url: string;
let dispatcher: InboxDispatcher;
const dispatched: HrEvent[] = [];

beforeAll(async () => {
  db = await openTestDatabase('intake_bulk');
  // The inbox's statements, as the database sees them.
  const watched: Database = { ...db, query: (sql: string, params?: unknown[]) => (statements.push(sql), db.query(sql, params)) } as Database;
  const inbox = new Inbox(watched);
  dispatcher = new InboxDispatcher({ inbox: new Inbox(db), dispatch: async (e) => (dispatched.push(e), [`employee-bamboohr-${e.employeeId}`]), log: silent, idleMs: 50 }).start();
  const app = express();
  app.use(webhookRouter({ receivers: [bambooReceiver({ secret, windowMs: 300_000, client: undefined })], inbox, handOver: (n) => dispatcher.wake(n), now: () => new Date() }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/bamboohr`;
});

afterAll(async () => {
  await dispatcher.stop();
  await new Promise((resolve) => server.close(resolve));
  await db.close();
});

const termination = (id: number) => ({
  id: String(id),
  action: 'Updated',
  timestamp: '2026-03-10T08:59:00+0000',
  changedFields: ['status', 'terminationDate'],
  fields: { workEmail: `bulk.${id}@acme.test`, firstName: 'Bulk', lastName: 'Leaver', status: 'Inactive', hireDate: '2020-01-06', terminationDate: '2026-03-09' },
});

async function post(ids: number[]) {
  const raw = JSON.stringify({ employees: ids.map(termination) });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signBambooBody(secret, raw, timestamp) },
    body: raw,
  });
  return { status: res.status, bytes: raw.length, body: (await res.json()) as { accepted: number; duplicates: number; events: { employeeId: string; duplicate: boolean }[] } };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('a field-based delivery of 1,000 employees', () => {
  it('is stored with one INSERT, answered, then handed over once per event in delivery order', async () => {
    const ids = range(950_000, 1000);
    statements = [];
    const res = await post(ids);
    expect(res.bytes).toBeGreaterThan(256 * 1024);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1000, duplicates: 0 });
    expect(res.body.events.map((e) => e.employeeId)).toEqual(ids.map(String));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^\s*INSERT INTO hr_inbox/);
    const { rows } = await db.query<{ employee_id: string }>(`SELECT employee_id FROM hr_inbox WHERE employee_id LIKE '95%' ORDER BY id`);
    expect(rows.map((r) => r.employee_id)).toEqual(ids.map(String));
    await vi.waitFor(() => expect(dispatched.filter((e) => e.employeeId.startsWith('95'))).toHaveLength(1000), { timeout: 30_000, interval: 100 });
    expect(new Set(dispatched.map((e) => e.eventId)).size).toBe(dispatched.length);
  });

  it('redelivered with 500 of them and 500 others, stores the 500 new ones and reports the rest as duplicates', async () => {
    const ids = [...range(950_500, 500), ...range(951_000, 500)];
    const res = await post(ids);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 500, duplicates: 500 });
    expect(res.body.events.map((e) => e.duplicate)).toEqual(ids.map((id) => id < 951_000));
    const { rows } = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM hr_inbox WHERE employee_id LIKE '95%'`);
    expect(Number(rows[0]!.n)).toBe(1500);
    await vi.waitFor(() => expect(dispatched.filter((e) => e.employeeId.startsWith('95'))).toHaveLength(1500), { timeout: 30_000, interval: 100 });
    expect(new Set(dispatched.map((e) => e.eventId)).size).toBe(1500);
  });
});
