import type { Database, Queryable } from '../db/database';
import { holdIdFor, limitOf, overLimit, type MassTerminationSettings } from './mass-termination';

export type HoldStatus = 'open' | 'released' | 'aborted';
export type HoldDecisionKind = 'release' | 'abort';

export interface HoldRecord {
  holdId: string;
  hrSource: string;
  openedAt: string;
  openedBy: string;
  threshold: number;
  windowMs: number;
  holdSessionKills: boolean;
  status: HoldStatus;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  message?: { channel: string; ts: string };
  /** Leavers in the hold. */
  members: number;
}

export interface HoldMember {
  workflowId: string;
  employeeId: string;
  hrEventId: string;
}

/** How a planned leaver was counted: let through, or held (and whether its arrival opened the hold). */
export interface Admission {
  holdId?: string;
  opened: boolean;
  /** Terminations from this HRIS within the window, this one included. */
  inWindow: number;
  limit: number;
}

interface HoldRow {
  hold_id: string;
  hr_source: string;
  opened_at: Date | string;
  opened_by: string;
  threshold: number;
  window_ms: string | number;
  hold_session_kills: boolean;
  status: HoldStatus;
  decided_by: string | null;
  decided_at: Date | string | null;
  reason: string | null;
  message: { channel: string; ts: string } | null;
  members: number;
}

const iso = (v: Date | string) => new Date(v).toISOString();

function toRecord(r: HoldRow): HoldRecord {
  return {
    holdId: r.hold_id,
    hrSource: r.hr_source,
    openedAt: iso(r.opened_at),
    openedBy: r.opened_by,
    threshold: r.threshold,
    windowMs: Number(r.window_ms),
    holdSessionKills: r.hold_session_kills,
    status: r.status,
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at ? { decidedAt: iso(r.decided_at) } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.message ? { message: r.message } : {}),
    members: Number(r.members),
  };
}

const holdColumns = `h.*, (SELECT count(*)::int FROM leaver_arrivals a WHERE a.hold_id = h.hold_id) AS members`;

/**
 * Terminations counted per HRIS, and the mass-termination holds they open and join. Counting and
 * joining take the HRIS's row lock, so concurrent leavers are counted one after the other; a
 * decision takes the same lock, so no leaver joins a hold once it is decided.
 */
export class HoldStore {
  constructor(private readonly db: Database) {}

  /**
   * Counts a leaver's arrival (idempotent per leaver workflow: a retried planning step gets the
   * same answer). While a hold is open for the HRIS, the leaver joins it; otherwise, when the
   * terminations in the window (since the last decision) pass the limit, it opens a new one.
   */
  async admit(arrival: HoldMember & { hrSource: string; at: Date }, settings: MassTerminationSettings): Promise<Admission> {
    return this.db.transaction(async (tx) => {
      const source = await lockSource(tx, arrival.hrSource);
      const windowStart = new Date(arrival.at.getTime() - settings.windowMs);
      const since = source.last_decided_at && new Date(source.last_decided_at) > windowStart ? new Date(source.last_decided_at) : windowStart;
      const limit = 'count' in settings.threshold ? limitOf(settings.threshold, 0) : limitOf(settings.threshold, await activeWorkers(tx, arrival.hrSource, windowStart));
      const seen = await tx.query<{ hold_id: string | null; opened_by: string | null }>(
        `SELECT a.hold_id, h.opened_by FROM leaver_arrivals a LEFT JOIN leaver_holds h ON h.hold_id = a.hold_id WHERE a.workflow_id = $1`,
        [arrival.workflowId],
      );
      const counted = async () =>
        Number((await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM leaver_arrivals WHERE hr_source = $1 AND arrived_at > $2`, [arrival.hrSource, since])).rows[0]?.n ?? 0);
      const prior = seen.rows[0];
      if (prior) {
        const inWindow = await counted();
        return prior.hold_id ? { holdId: prior.hold_id, opened: prior.opened_by === arrival.workflowId, inWindow, limit } : { opened: false, inWindow, limit };
      }
      const open = await tx.query<{ hold_id: string }>(`SELECT hold_id FROM leaver_holds WHERE hr_source = $1 AND status = 'open' ORDER BY opened_at LIMIT 1`, [arrival.hrSource]);
      const insert = (holdId: string | null) =>
        tx.query(`INSERT INTO leaver_arrivals (workflow_id, hr_source, employee_id, hr_event_id, arrived_at, hold_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
          arrival.workflowId,
          arrival.hrSource,
          arrival.employeeId,
          arrival.hrEventId,
          arrival.at,
          holdId,
        ]);
      const joined = open.rows[0]?.hold_id;
      if (joined) {
        await insert(joined);
        return { holdId: joined, opened: false, inWindow: await counted(), limit };
      }
      const inWindow = (await counted()) + 1;
      if (!overLimit(inWindow, limit)) {
        await insert(null);
        return { opened: false, inWindow, limit };
      }
      const n = source.holds_opened + 1;
      const holdId = holdIdFor(arrival.hrSource, n);
      await tx.query(`UPDATE leaver_guard_sources SET holds_opened = $2 WHERE hr_source = $1`, [arrival.hrSource, n]);
      await tx.query(
        `INSERT INTO leaver_holds (hold_id, hr_source, opened_at, opened_by, threshold, window_ms, hold_session_kills) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [holdId, arrival.hrSource, arrival.at, arrival.workflowId, limit, settings.windowMs, settings.holdSessionKills],
      );
      await insert(holdId);
      return { holdId, opened: true, inWindow, limit };
    });
  }

  async get(holdId: string, q: Queryable = this.db): Promise<HoldRecord | undefined> {
    const res = await q.query<HoldRow>(`SELECT ${holdColumns} FROM leaver_holds h WHERE h.hold_id = $1`, [holdId]);
    return res.rows[0] ? toRecord(res.rows[0]) : undefined;
  }

  async members(holdId: string, q: Queryable = this.db): Promise<HoldMember[]> {
    const res = await q.query<{ workflow_id: string; employee_id: string; hr_event_id: string }>(
      `SELECT workflow_id, employee_id, hr_event_id FROM leaver_arrivals WHERE hold_id = $1 ORDER BY arrived_at, workflow_id`,
      [holdId],
    );
    return res.rows.map((r) => ({ workflowId: r.workflow_id, employeeId: r.employee_id, hrEventId: r.hr_event_id }));
  }

  async setMessage(holdId: string, message: { channel: string; ts: string }): Promise<void> {
    await this.db.query(`UPDATE leaver_holds SET message = $2 WHERE hold_id = $1`, [holdId, JSON.stringify(message)]);
  }

  /**
   * Decides an open hold once, under the HRIS's lock (no leaver joins it afterwards), and returns
   * it with its members. Deciding it again the same way answers the same (a retried step); a
   * different decision on a decided hold changes nothing and answers what was decided.
   */
  async decide(holdId: string, d: { decision: HoldDecisionKind; decidedBy: string; decidedAt: string; reason?: string }): Promise<{ hold: HoldRecord; members: HoldMember[] } | undefined> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query<{ hr_source: string }>(`SELECT hr_source FROM leaver_holds WHERE hold_id = $1`, [holdId]);
      const source = found.rows[0]?.hr_source;
      if (!source) return undefined;
      await lockSource(tx, source);
      const status: HoldStatus = d.decision === 'release' ? 'released' : 'aborted';
      const updated = await tx.query(
        `UPDATE leaver_holds SET status = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE hold_id = $1 AND status = 'open' RETURNING hold_id`,
        [holdId, status, d.decidedBy, d.decidedAt, d.reason ?? null],
      );
      if (updated.rows.length > 0) {
        await tx.query(`UPDATE leaver_guard_sources SET last_decided_at = GREATEST(COALESCE(last_decided_at, $2), $2) WHERE hr_source = $1`, [source, d.decidedAt]);
      }
      return { hold: (await this.get(holdId, tx)) as HoldRecord, members: await this.members(holdId, tx) };
    });
  }

  /** Holds still waiting for a decision, oldest first. */
  async open(): Promise<HoldRecord[]> {
    const res = await this.db.query<HoldRow>(`SELECT ${holdColumns} FROM leaver_holds h WHERE h.status = 'open' ORDER BY h.opened_at`);
    return res.rows.map(toRecord);
  }
}

async function lockSource(tx: Queryable, hrSource: string): Promise<{ holds_opened: number; last_decided_at: Date | string | null }> {
  await tx.query(`INSERT INTO leaver_guard_sources (hr_source) VALUES ($1) ON CONFLICT (hr_source) DO NOTHING`, [hrSource]);
  const res = await tx.query<{ holds_opened: number; last_decided_at: Date | string | null }>(
    `SELECT holds_opened, last_decided_at FROM leaver_guard_sources WHERE hr_source = $1 FOR UPDATE`,
    [hrSource],
  );
  return res.rows[0] as { holds_opened: number; last_decided_at: Date | string | null };
}

/**
 * Workers of an HRIS the engine knows to be active: every worker it has had an event for, less
 * those whose latest event is a termination from before the window (a leaver in the window was
 * active when the burst began).
 */
async function activeWorkers(tx: Queryable, hrSource: string, windowStart: Date): Promise<number> {
  const res = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT DISTINCT ON (employee_id) employee_id, kind, received_at FROM hr_inbox WHERE source = $1 ORDER BY employee_id, received_at DESC, id DESC
     ) latest WHERE NOT (kind = 'terminate' AND received_at < $2)`,
    [hrSource, windowStart],
  );
  return Number(res.rows[0]?.n ?? 0);
}
