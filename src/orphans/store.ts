/**
 * The orphan-account store (tables orphan_accounts, orphan_runs): upserts in batches keyed by
 * system and account ID, so an orphan keeps its first sighting across runs and the run that first
 * saw it (its "new" run) is known; resolutions are set only from a listing that finished.
 */
import type { Database } from '../db/database';
import type { OrphanHrStatus, OrphanReason } from './hr-status';

export interface OrphanSighting {
  accountId: string;
  login: string;
  hrStatus: OrphanHrStatus;
  reason: OrphanReason;
  hrSource?: string;
  employeeId?: string;
  /** Since when HR's view makes it an orphan (ISO-8601); absent: since it was first seen. */
  orphanedSince?: string;
}

export type Resolution = 'inactive' | 'owner_active' | 'gone';

export interface OrphanRecord extends Required<Pick<OrphanSighting, 'accountId' | 'login' | 'hrStatus' | 'reason'>> {
  system: string;
  hrSource?: string;
  employeeId?: string;
  orphanedSince: string;
  firstSeenAt: string;
  lastSeenAt: string;
  openedByRun: string;
  resolvedAt?: string;
  resolution?: Resolution;
}

export interface SystemRun {
  runId: string;
  system: string;
  startedAt: string;
  finishedAt?: string;
  status: 'running' | 'succeeded' | 'failed';
  accounts: number;
  orphans: number;
  newOrphans: number;
  resolved: number;
  error?: string;
}

interface OrphanRow {
  system: string;
  account_id: string;
  login: string;
  hr_status: string;
  reason: string;
  hr_source: string | null;
  employee_id: string | null;
  orphaned_since: Date | string;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  opened_by_run: string;
  resolved_at: Date | string | null;
  resolution: string | null;
}

interface RunRow {
  run_id: string;
  system: string;
  started_at: Date | string;
  finished_at: Date | string | null;
  status: string;
  accounts: number;
  orphans: number;
  new_orphans: number;
  resolved: number;
  error: string | null;
}

const orphanColumns = `system, account_id, login, hr_status, reason, hr_source, employee_id, orphaned_since, first_seen_at,
  last_seen_at, opened_by_run, resolved_at, resolution`;
const runColumns = 'run_id, system, started_at, finished_at, status, accounts, orphans, new_orphans, resolved, error';
/** Errors are a retry aid here, not a log. */
const maxErrorLength = 1000;

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

export class OrphanStore {
  constructor(private readonly db: Database) {}

  async startRun(runId: string, system: string, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO orphan_runs (run_id, system, started_at, status) VALUES ($1, $2, $3::timestamptz, 'running')
       ON CONFLICT (run_id, system) DO UPDATE SET started_at = EXCLUDED.started_at, status = 'running', finished_at = NULL, error = NULL`,
      [runId, system, at.toISOString()],
    );
  }

  async finishRun(run: Omit<SystemRun, 'startedAt'> & { finishedAt: string }): Promise<void> {
    await this.db.query(
      `UPDATE orphan_runs SET status = $3, finished_at = $4::timestamptz, accounts = $5, orphans = $6, new_orphans = $7, resolved = $8, error = $9
       WHERE run_id = $1 AND system = $2`,
      [run.runId, run.system, run.status, run.finishedAt, run.accounts, run.orphans, run.newOrphans, run.resolved, run.error?.slice(0, maxErrorLength) ?? null],
    );
  }

  /**
   * Records the orphans one batch of a listing found, as of `at`. A row already open keeps its first
   * sighting and the run that opened it; a resolved one seen orphaned again opens a new episode (new
   * in this run). Answers how many of these are new in this run (a retried run counts them again).
   */
  async recordOrphans(runId: string, system: string, at: Date, sightings: readonly OrphanSighting[]): Promise<number> {
    if (sightings.length === 0) return 0;
    // A listing that shifted under its paging may show an account twice: one row each, the last sighting.
    const unique = [...new Map(sightings.map((s) => [s.accountId, s])).values()];
    const col = <T>(pick: (s: OrphanSighting) => T) => unique.map(pick);
    const { rows } = await this.db.query<{ opened: boolean }>(
      `INSERT INTO orphan_accounts AS o (system, account_id, login, hr_status, reason, hr_source, employee_id, orphaned_since,
                                         first_seen_at, last_seen_at, opened_by_run, last_run)
       SELECT $1, t.account_id, t.login, t.hr_status, t.reason, t.hr_source, t.employee_id, COALESCE(t.since, $2::timestamptz),
              $2::timestamptz, $2::timestamptz, $3, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
              AS t(account_id, login, hr_status, reason, hr_source, employee_id, since)
       ON CONFLICT (system, account_id) DO UPDATE SET
         login = EXCLUDED.login, hr_status = EXCLUDED.hr_status, reason = EXCLUDED.reason,
         hr_source = EXCLUDED.hr_source, employee_id = EXCLUDED.employee_id,
         first_seen_at = CASE WHEN o.resolved_at IS NULL THEN o.first_seen_at ELSE EXCLUDED.first_seen_at END,
         opened_by_run = CASE WHEN o.resolved_at IS NULL THEN o.opened_by_run ELSE EXCLUDED.opened_by_run END,
         -- Unknown to HR: orphaned since first seen in this episode.
         orphaned_since = CASE WHEN EXCLUDED.reason <> 'unknown_to_hr' THEN EXCLUDED.orphaned_since
                               WHEN o.resolved_at IS NULL THEN o.first_seen_at ELSE EXCLUDED.first_seen_at END,
         last_seen_at = EXCLUDED.last_seen_at, last_run = EXCLUDED.last_run,
         resolved_at = NULL, resolved_by_run = NULL, resolution = NULL
       RETURNING (o.opened_by_run = $3) AS opened`,
      [
        system,
        at.toISOString(),
        runId,
        col((s) => s.accountId),
        col((s) => s.login),
        col((s) => s.hrStatus),
        col((s) => s.reason),
        col((s) => s.hrSource ?? null),
        col((s) => s.employeeId ?? null),
        col((s) => s.orphanedSince ?? null),
      ],
    );
    return rows.filter((r) => r.opened).length;
  }

  /** Open orphans among these accounts that the listing shows are no longer orphans; answers how many. */
  async resolve(runId: string, system: string, at: Date, accountIds: readonly string[], resolution: Exclude<Resolution, 'gone'>): Promise<number> {
    if (accountIds.length === 0) return 0;
    const { rows } = await this.db.query(
      `UPDATE orphan_accounts SET resolved_at = $3::timestamptz, resolved_by_run = $4, resolution = $5
       WHERE system = $1 AND account_id = ANY($2::text[]) AND resolved_at IS NULL RETURNING account_id`,
      [system, [...accountIds], at.toISOString(), runId, resolution],
    );
    return rows.length;
  }

  /** After a complete listing: open orphans it did not show are gone from the system. */
  async resolveUnseen(runId: string, system: string, at: Date): Promise<number> {
    const { rows } = await this.db.query(
      `UPDATE orphan_accounts SET resolved_at = $3::timestamptz, resolved_by_run = $2, resolution = 'gone'
       WHERE system = $1 AND resolved_at IS NULL AND last_run <> $2 RETURNING account_id`,
      [system, runId, at.toISOString()],
    );
    return rows.length;
  }

  /** Open orphans of one system, counted. */
  async countOpen(system: string): Promise<number> {
    const { rows } = await this.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM orphan_accounts WHERE system = $1 AND resolved_at IS NULL`, [system]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Orphans a run opened (`opened`) or resolved (`resolved`), pageSize at a time, in system and account order. */
  async *ofRun(runId: string, which: 'opened' | 'resolved', pageSize = 1000): AsyncGenerator<OrphanRecord[]> {
    const column = which === 'opened' ? 'opened_by_run' : 'resolved_by_run';
    yield* this.pages(`${column} = $1`, [runId], pageSize);
  }

  /** Every open orphan, pageSize at a time, in system and account order. */
  async *open(pageSize = 1000): AsyncGenerator<OrphanRecord[]> {
    yield* this.pages('resolved_at IS NULL', [], pageSize);
  }

  async runs(runId: string): Promise<SystemRun[]> {
    const { rows } = await this.db.query<RunRow>(`SELECT ${runColumns} FROM orphan_runs WHERE run_id = $1 ORDER BY system`, [runId]);
    return rows.map(toRun);
  }

  /** Each system's latest listing. */
  async latestRuns(): Promise<SystemRun[]> {
    const { rows } = await this.db.query<RunRow>(
      `SELECT DISTINCT ON (system) ${runColumns} FROM orphan_runs ORDER BY system, started_at DESC, run_id DESC`,
    );
    return rows.map(toRun);
  }

  private async *pages(where: string, params: unknown[], pageSize: number): AsyncGenerator<OrphanRecord[]> {
    let after: [string, string] = ['', ''];
    for (;;) {
      const n = params.length;
      const { rows } = await this.db.query<OrphanRow>(
        `SELECT ${orphanColumns} FROM orphan_accounts WHERE ${where} AND (system, account_id) > ($${n + 1}, $${n + 2})
         ORDER BY system, account_id LIMIT $${n + 3}`,
        [...params, ...after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map(toRecord);
      const last = rows.at(-1)!;
      if (rows.length < pageSize) return;
      after = [last.system, last.account_id];
    }
  }
}

function toRecord(row: OrphanRow): OrphanRecord {
  return {
    system: row.system,
    accountId: row.account_id,
    login: row.login,
    hrStatus: row.hr_status as OrphanHrStatus,
    reason: row.reason as OrphanReason,
    ...(row.hr_source ? { hrSource: row.hr_source } : {}),
    ...(row.employee_id ? { employeeId: row.employee_id } : {}),
    orphanedSince: iso(row.orphaned_since),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    openedByRun: row.opened_by_run,
    ...(row.resolved_at ? { resolvedAt: iso(row.resolved_at) } : {}),
    ...(row.resolution ? { resolution: row.resolution as Resolution } : {}),
  };
}

function toRun(row: RunRow): SystemRun {
  return {
    runId: row.run_id,
    system: row.system,
    startedAt: iso(row.started_at),
    ...(row.finished_at ? { finishedAt: iso(row.finished_at) } : {}),
    status: row.status as SystemRun['status'],
    accounts: row.accounts,
    orphans: row.orphans,
    newOrphans: row.new_orphans,
    resolved: row.resolved,
    ...(row.error ? { error: row.error } : {}),
  };
}
