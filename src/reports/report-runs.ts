import type { Database } from '../db/database';
import { canonicalJson } from '../evidence/hash';
import { EvidenceStore } from '../evidence/store';
import type { EvidenceRecord } from '../evidence/types';
import { assembleReport, buildOffboardingReport, judgeRun, leaverRunsInWindow, runsOf, type LeaverRow, type OffboardingReport, type ReportWindow } from './offboarding';

/**
 * The offboarding report, read from the rows kept in offboarding_report_runs where it can be.
 *
 * Evidence is append-only, so a run's row changes only when the run writes another event or,
 * while the run is open, as time passes (a deadline goes by). A run whose row is the same now
 * and at the end of time is settled, and its row is kept. Each report works out afresh only the
 * runs that wrote evidence after the watermark (the seq up to which every run is kept) and the
 * open runs in its window, then stores what it worked out and moves the watermark on. So the
 * first report over a large log reads all of it; later ones read what is new.
 *
 * A report asked as of a moment before rows were judged settled, or one whose stored rows cannot
 * be read, is built from evidence alone (buildOffboardingReport), as is every report when
 * `fresh` is set.
 */
const endOfTime = 8.64e15;
const chunk = 1_000;

interface KeptRun {
  workflow_id: string;
  row: LeaverRow | string;
  rescinded: boolean;
}

/** A kept row as the driver hands it back (parsed json, or text where a type parser leaves it). */
const rowOf = (kept: KeptRun): LeaverRow => (typeof kept.row === 'string' ? (JSON.parse(kept.row) as LeaverRow) : kept.row);

interface Judged {
  workflowId: string;
  effectiveAt: string;
  coveredSeq: number;
  settled: boolean;
  rescinded: boolean;
  row: LeaverRow;
}

export async function reportFromRuns(
  db: Database,
  window: Omit<ReportWindow, 'asOf'>,
  asOf: Date,
  // The report stands without its rows kept (the next one works them out again); say why by code only.
  onKeepError: (err: unknown) => void = (err) =>
    process.emitWarning(`offboarding report rows not kept (${(err as { code?: string }).code ?? 'error'}); the next report works them out again`),
  /** Told how many of the runs to work out again from evidence have been read. */
  onProgress?: (done: number, total: number) => void,
): Promise<OffboardingReport> {
  const asOfMs = asOf.getTime();
  const store = new EvidenceStore(db);
  const head = Number((await db.query<{ seq: string | number | null }>('SELECT max(seq) AS seq FROM evidence_events')).rows[0]?.seq ?? 0);
  const mark = (await db.query<{ seq: string | number; as_of: string }>(`SELECT seq, to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS as_of FROM offboarding_report_watermark WHERE id = 1`)).rows[0];
  const watermark = mark ? Number(mark.seq) : 0;
  if (mark && asOfMs < Date.parse(mark.as_of)) return reportFromEvidence(db, window, asOf, onProgress);

  const touched = (
    await db.query<{ w: string }>(
      `SELECT DISTINCT context->>'workflowId' AS w FROM evidence_events WHERE seq > $1 AND seq <= $2 AND context ? 'workflowId'`,
      [watermark, head],
    )
  ).rows.map((r) => r.w);
  const open = (
    await db.query<{ workflow_id: string }>(
      `SELECT workflow_id FROM offboarding_report_runs WHERE NOT settled AND effective_at >= $1 AND effective_at < $2`,
      [window.from, window.to],
    )
  ).rows.map((r) => r.workflow_id);
  const redo = [...new Set([...touched, ...open])];
  const judged = judgeRuns(await store.forWorkflows(redo, onProgress), asOfMs);

  const fromMs = Date.parse(window.from);
  const toMs = Date.parse(window.to);
  const inWindow = (at: string) => Date.parse(at) >= fromMs && Date.parse(at) < toMs;
  const leavers: LeaverRow[] = [];
  let rescinded = 0;
  for (const j of judged) {
    if (!inWindow(j.effectiveAt)) continue;
    if (j.rescinded) rescinded++;
    else leavers.push(j.row);
  }
  const redone = new Set(redo);
  const { rows: kept } = await db.query<KeptRun>(
    `SELECT workflow_id, row, rescinded FROM offboarding_report_runs WHERE settled AND effective_at >= $1 AND effective_at < $2`,
    [window.from, window.to],
  );
  for (const k of kept) {
    if (redone.has(k.workflow_id)) continue;
    if (k.rescinded) rescinded++;
    else leavers.push(rowOf(k));
  }

  await keep(db, judged, head, asOf).catch(onKeepError);
  return assembleReport(window, leavers, rescinded);
}

/** The report from evidence alone: every run in the window read and worked out. */
export async function reportFromEvidence(
  db: Database,
  window: Omit<ReportWindow, 'asOf'>,
  asOf: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<OffboardingReport> {
  const store = new EvidenceStore(db);
  // Runs are picked by their termination date, which the events' own times do not bound
  // (future-dated terminations start early, back-dated ones late), so start from leaver.started
  // and the terminations that brought a leaver forward.
  const starts = await store.range({ actions: ['leaver.started', 'leaver.rescheduled'] });
  const events = await store.forWorkflows(leaverRunsInWindow(starts, window), onProgress);
  return buildOffboardingReport(events, { ...window, asOf: asOf.toISOString() });
}

/** Each leaver run among these events, judged as of asOfMs and at the end of time. */
function judgeRuns(events: readonly EvidenceRecord[], asOfMs: number): Judged[] {
  const out: Judged[] = [];
  for (const [workflowId, run] of runsOf(events)) {
    const now = judgeRun(run, asOfMs);
    if (!now) continue;
    const later = judgeRun(run, endOfTime);
    out.push({
      workflowId,
      effectiveAt: now.row.terminationEffectiveAt,
      coveredSeq: Math.max(...run.map((e) => e.seq)),
      settled: later !== undefined && canonicalJson(later.row) === canonicalJson(now.row),
      rescinded: now.rescinded,
      row: now.row,
    });
  }
  return out;
}

/**
 * Stores the runs just judged and moves the watermark to `head`, in one transaction. A row
 * already stored from later evidence (another report at the same time) is left as it is.
 */
async function keep(db: Database, judged: readonly Judged[], head: number, asOf: Date): Promise<void> {
  await db.transaction(async (tx) => {
    for (let i = 0; i < judged.length; i += chunk) {
      const part = judged.slice(i, i + chunk);
      await tx.query(
        `INSERT INTO offboarding_report_runs (workflow_id, effective_at, covered_seq, settled, rescinded, row)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::boolean[], $5::boolean[], $6::json[])
         ON CONFLICT (workflow_id) DO UPDATE SET effective_at = excluded.effective_at, covered_seq = excluded.covered_seq,
           settled = excluded.settled, rescinded = excluded.rescinded, row = excluded.row
         WHERE offboarding_report_runs.covered_seq <= excluded.covered_seq`,
        [
          part.map((j) => j.workflowId),
          part.map((j) => j.effectiveAt),
          part.map((j) => j.coveredSeq),
          part.map((j) => j.settled),
          part.map((j) => j.rescinded),
          part.map((j) => JSON.stringify(j.row)),
        ],
      );
    }
    await tx.query(
      `INSERT INTO offboarding_report_watermark (id, seq, as_of) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET seq = greatest(offboarding_report_watermark.seq, excluded.seq),
         as_of = greatest(offboarding_report_watermark.as_of, excluded.as_of)`,
      [head, asOf.toISOString()],
    );
  });
}

/**
 * Checks every kept row of a settled run against the row its evidence gives now: the rows are
 * derived, so one that differs was changed outside the engine. Returns the workflow IDs that
 * differ (or whose evidence no longer gives a leaver row), in order.
 */
export async function checkKeptRuns(db: Database): Promise<{ checked: number; differing: string[] }> {
  const store = new EvidenceStore(db);
  const differing: string[] = [];
  let checked = 0;
  for (let after = ''; ; ) {
    const { rows } = await db.query<KeptRun & { covered_seq: string | number }>(
      `SELECT workflow_id, row, rescinded, covered_seq FROM offboarding_report_runs WHERE settled AND workflow_id > $1 ORDER BY workflow_id LIMIT $2`,
      [after, chunk],
    );
    if (rows.length === 0) break;
    const fresh = new Map(judgeRuns(await store.forWorkflows(rows.map((r) => r.workflow_id)), endOfTime).map((j) => [j.workflowId, j]));
    for (const kept of rows) {
      const row = rowOf(kept);
      const now = fresh.get(kept.workflow_id);
      const same = now !== undefined && now.rescinded === kept.rescinded && (now.coveredSeq > Number(kept.covered_seq) || canonicalJson(now.row) === canonicalJson(row));
      if (!same) differing.push(kept.workflow_id);
    }
    checked += rows.length;
    after = rows.at(-1)!.workflow_id;
  }
  return { checked, differing };
}

/** Moves the watermark back to the start: the next report works every run out again and replaces every kept row. */
export async function rebuildKeptRuns(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('UPDATE offboarding_report_watermark SET seq = 0');
    // A changed row may claim later evidence than it covers: let any fresh row replace it.
    await tx.query('UPDATE offboarding_report_runs SET covered_seq = 0');
  });
}
