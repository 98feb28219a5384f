import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database';
import type { HrEvent } from '../../src/hris/hr-event';
import { InboxDispatcher } from '../../src/intake/dispatcher';
import { Inbox } from '../../src/intake/inbox';
import { openTestDatabase } from '../harness/db';

/**
 * The dispatcher against a real inbox: two of them (as two `jml server` processes would) share
 * one table, so the claims, not the process, must keep each worker's events in order.
 */
let db: Database;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  db = await openTestDatabase('dispatcher');
});

afterAll(async () => {
  await db.close();
});

function event(employeeId: string, n: number): HrEvent {
  return {
    eventId: `bamboohr:${employeeId}:${String(n).padStart(24, '0')}`,
    source: 'bamboohr',
    employeeId,
    kind: 'change',
    immediate: false,
    receivedAt: new Date().toISOString(),
    changedFields: ['department'],
    worker: { department: `D${n}` },
    via: 'webhook',
  };
}

describe('InboxDispatcher', () => {
  it('two dispatchers on one inbox hand every event over, each worker’s one at a time and in stored order, workers side by side', async () => {
    const inbox = new Inbox(db);
    // Fewer workers than lanes: the lanes must wait for a worker's previous event, not take its next.
    const workers = ['d1', 'd2', 'd3'];
    const perWorker = 10;
    const calls: { employeeId: string; n: number; start: number; end: number }[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const dispatch = async (e: HrEvent) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const start = performance.now();
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      calls.push({ employeeId: e.employeeId, n: Number(e.eventId.split(':').pop()), start, end: performance.now() });
      inFlight -= 1;
      return [`employee-bamboohr-${e.employeeId}`];
    };
    const a = new InboxDispatcher({ inbox, dispatch, log: silent, lanes: 3, idleMs: 20 }).start();
    const b = new InboxDispatcher({ inbox, dispatch, log: silent, lanes: 3, idleMs: 20 }).start();
    try {
      // Deliveries interleave workers, as webhooks do.
      for (let n = 0; n < perWorker; n += 1) {
        await inbox.record(workers.map((w) => event(w, n)));
        (n % 2 ? a : b).wake();
      }
      await vi.waitFor(() => expect(calls).toHaveLength(workers.length * perWorker), { timeout: 20_000, interval: 20 });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const w of workers) {
      const mine = calls.filter((c) => c.employeeId === w).sort((x, y) => x.start - y.start);
      expect(mine.map((c) => c.n)).toEqual(Array.from({ length: perWorker }, (_, i) => i));
      for (let i = 1; i < mine.length; i += 1) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
    }
    expect(mostInFlight).toBeGreaterThan(1);
    expect(await inbox.countPending()).toBe(0);
  });

  it('backs off after a failure, and the first success after failures makes every failed event due at once', async () => {
    const inbox = new Inbox(db);
    let up = false;
    const handed: string[] = [];
    const dispatch = async (e: HrEvent) => {
      if (!up) throw new Error('14 UNAVAILABLE: connect ECONNREFUSED');
      handed.push(e.employeeId);
      return [`employee-bamboohr-${e.employeeId}`];
    };
    // A backoff far longer than the test: only the recovery can make them due again.
    const dispatcher = new InboxDispatcher({ inbox, dispatch, log: silent, idleMs: 20, initialBackoffMs: 600_000, maxBackoffMs: 600_000 }).start();
    try {
      await inbox.record([event('f1', 0), event('f2', 0), event('f3', 0)]);
      dispatcher.wake();
      await vi.waitFor(async () => {
        const { rows } = await db.query<{ status: string }>(`SELECT status FROM hr_inbox WHERE employee_id IN ('f1', 'f2', 'f3')`);
        expect(rows.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
      });
      const { rows } = await db.query<{ wait: number }>(`SELECT extract(epoch FROM next_attempt_at - now()) AS wait FROM hr_inbox WHERE employee_id = 'f1'`);
      expect(Number(rows[0]!.wait)).toBeGreaterThan(500);

      up = true;
      await inbox.record([event('f4', 0)]);
      dispatcher.wake();
      await vi.waitFor(() => expect(handed.sort()).toEqual(['f1', 'f2', 'f3', 'f4']), { timeout: 10_000, interval: 20 });
    } finally {
      await dispatcher.stop();
    }
  });
});
