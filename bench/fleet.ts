/**
 * Driving the real engine with many leavers at once, for benches such as a layoff: seed the
 * workers in the peers, send their terminations as signed BambooHR deliveries (one employee per
 * delivery, or many in one field-based delivery), wait for every leaver workflow, and read back
 * per leaver when its sessions ended and its access was revoked (from the leaver's result), what
 * it cost in Temporal Actions (test/harness/actions.ts), and what the run cost in CPU (this
 * process, which holds the engine, and the Temporal dev server) and evidence appends per second.
 * Use it inside withRig (rig.ts), whose `latencyMs` sets the peers' delay.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { HrEvent } from '../src/hris/hr-event';
import { actionsOf } from '../test/harness/actions';
import { postBambooWebhook, terminationDelivery } from '../test/harness/bamboohr';
import type { LeaverResult } from '../workflows/leaver';
import { childrenCpu } from './common';
import { pool } from './concurrent';
import type { Rig } from './rig';
import { round, summarise, type Summary } from './stats';

export interface FleetOptions {
  /** Leavers to run. */
  count: number;
  /** First employee ID; every leaver gets the next (default 900_000). */
  idBase?: number;
  /** Employees per delivery: 1 sends one webhook per leaver, more sends field-based deliveries of that many (default 1). */
  perDelivery?: number;
  /** Deliveries in flight at once (default 10). */
  postConcurrency?: number;
  /** Groups each worker is in at both peers before leaving (default none). */
  groups?: string[];
  /** Count Temporal Actions from the histories of this many leavers (default all; 0 skips). */
  actionsSample?: number;
  /** Give up waiting for the leavers after this long (default 30 min). */
  timeoutMs?: number;
}

export interface LeaverOutcome {
  employeeId: string;
  /** Epoch ms the delivery carrying this leaver was posted and answered. */
  postedAt: number;
  answeredAt: number;
  /** From the POST to the last system's sessions ended / access fully revoked (the leaver's result). */
  sessionsEndedMs: number;
  accessRevokedMs: number;
  slaBreached: boolean;
  workflowIds: string[];
}

export interface FleetFigures {
  count: number;
  deliveries: number;
  perDelivery: number;
  answerMs: Summary;
  sessionsEndedMs: Summary;
  accessRevokedMs: Summary;
  slaBreaches: number;
  /** From the first POST until the last leaver workflow completed. */
  wallMs: number;
  actionsPerLeaver: (Summary & { leavers: number; byKind: Record<string, number> }) | null;
  cpu: {
    /** This process: the engine's API and worker, the peers and the bench client. */
    engineProcessMs: number;
    /** The Temporal dev server (a child process), from /proc; null where /proc is unavailable. */
    temporalServerMs: number | null;
    /** In cores busy on average over wallMs. */
    engineProcessCores: number;
    temporalServerCores: number | null;
  };
  evidence: { appends: number; perSecond: number };
  leavers: LeaverOutcome[];
}

const dated = (iso: string) => Date.parse(iso);

/** Runs `options.count` leavers through the rig's engine and measures them (see the file comment). */
export async function driveLeavers(rig: Rig, options: FleetOptions): Promise<FleetFigures> {
  const { engine, targets, log } = rig;
  const perDelivery = Math.max(1, options.perDelivery ?? 1);
  const base = options.idBase ?? 900_000;
  const terminationDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const workers = Array.from({ length: options.count }, (_, i) => ({ employeeId: String(base + i), login: `fleet.${base + i}@acme.test` }));
  for (const w of workers) targets.seedWorker(w.login, options.groups ?? []);
  const batches: (typeof workers)[] = [];
  for (let i = 0; i < workers.length; i += perDelivery) batches.push(workers.slice(i, i + perDelivery));

  const evidenceBefore = await evidenceCount(rig);
  const cpu0 = process.cpuUsage();
  const temporal0 = childrenCpu();
  const began = Date.now();
  const posted = new Map<string, { postedAt: number; answeredAt: number; workflowIds: string[] }>();
  const answers: number[] = [];
  let next = 0;
  log(`posting ${workers.length} terminations in ${batches.length} deliveries`);
  await pool(batches.length, options.postConcurrency ?? 10, async () => {
    const batch = batches[next++]!;
    const employees = batch.flatMap((w) => terminationDelivery(w.employeeId, w.login, terminationDate).employees);
    const postedAt = Date.now();
    const res = await postBambooWebhook(engine.url, { employees });
    const answeredAt = Date.now();
    if (res.status !== 202) throw new Error(`delivery of ${batch.length} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    answers.push(answeredAt - postedAt);
    for (const e of res.body.events as (Pick<HrEvent, 'employeeId'> & { workflowIds: string[] })[]) posted.set(e.employeeId, { postedAt, answeredAt, workflowIds: e.workflowIds });
  });

  log('waiting for every leaver workflow');
  const deadline = began + (options.timeoutMs ?? 30 * 60_000);
  const leavers: LeaverOutcome[] = [];
  let waited = 0;
  await pool(workers.length, 50, async () => {
    const w = workers[waited++]!;
    const p = posted.get(w.employeeId);
    const leaverId = p?.workflowIds.find((id) => id.startsWith('leaver-'));
    if (!p || !leaverId) throw new Error(`no leaver workflow named for employee ${w.employeeId}`);
    const result = await leaverResult(rig, leaverId, deadline);
    leavers.push({
      employeeId: w.employeeId,
      postedAt: p.postedAt,
      answeredAt: p.answeredAt,
      sessionsEndedMs: dated(result.sessionsKilledAt) - p.postedAt,
      accessRevokedMs: dated(result.accessRevokedAt) - p.postedAt,
      slaBreached: result.slaBreached,
      workflowIds: p.workflowIds,
    });
  });
  const wallMs = Date.now() - began;
  const cpu = process.cpuUsage(cpu0);
  const temporal1 = childrenCpu();
  const appends = (await evidenceCount(rig)) - evidenceBefore;
  const engineProcessMs = round((cpu.user + cpu.system) / 1000);
  const temporalServerMs = temporal0 && temporal1 ? temporal1.ms - temporal0.ms : null;

  const sample = leavers.slice(0, options.actionsSample ?? leavers.length);
  let actionsPerLeaver: FleetFigures['actionsPerLeaver'] = null;
  if (sample.length > 0) {
    log(`counting Temporal Actions of ${sample.length} leavers from their histories`);
    const totals: number[] = [];
    const byKind: Record<string, number> = {};
    for (const l of sample) {
      const a = await actionsOf(engine.client, l.workflowIds);
      totals.push(a.total);
      for (const [kind, n] of Object.entries(a.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
    }
    for (const kind of Object.keys(byKind)) byKind[kind] = round(byKind[kind]! / sample.length, 2);
    actionsPerLeaver = { ...summarise(totals), leavers: sample.length, byKind };
  }

  return {
    count: workers.length,
    deliveries: batches.length,
    perDelivery,
    answerMs: summarise(answers),
    sessionsEndedMs: summarise(leavers.map((l) => l.sessionsEndedMs)),
    accessRevokedMs: summarise(leavers.map((l) => l.accessRevokedMs)),
    slaBreaches: leavers.filter((l) => l.slaBreached).length,
    wallMs,
    actionsPerLeaver,
    cpu: {
      engineProcessMs,
      temporalServerMs,
      engineProcessCores: round(engineProcessMs / wallMs, 2),
      temporalServerCores: temporalServerMs === null ? null : round(temporalServerMs / wallMs, 2),
    },
    evidence: { appends, perSecond: round(appends / (wallMs / 1000)) },
    leavers,
  };
}

/** The leaver's result; it is started by the worker's workflow after the hand-over, so it may not exist yet. */
async function leaverResult(rig: Rig, workflowId: string, deadline: number): Promise<LeaverResult> {
  for (;;) {
    try {
      return (await rig.engine.client.withDeadline(deadline, () => rig.engine.client.workflow.getHandle(workflowId).result())) as LeaverResult;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function evidenceCount(rig: Rig): Promise<number> {
  const { rows } = await rig.engine.db.query<{ n: string | number }>('SELECT count(*) AS n FROM evidence_events');
  return Number(rows[0]?.n ?? 0);
}
