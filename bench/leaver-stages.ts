/**
 * Where each engine leaver's time went: per-leaver milestones from the evidence rows
 * (`hr_event.received`, `leaver.started`, `sessions.kill`), the Temporal workflow histories and
 * the peers' request logs, and the stage spans (p50/p95) between them.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { EvidenceRecord } from '../src/evidence/types';
import type { PeerCalls } from './leaver-peer-calls';
import type { Context, Sample } from './leaver-sample';
import { median, percentile } from './stats';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

function eventMs(e: HistoryEvent | undefined): number | undefined {
  const ts = e?.eventTime;
  if (!ts) return undefined;
  return Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** Scheduled, started and completed times of every activity of a type in a history. */
function activityTimes(events: HistoryEvent[], type: string): { scheduled: number; started?: number; completed?: number }[] {
  const out: { id: string; scheduled: number; started?: number; completed?: number }[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) out.push({ id: String(e.eventId), scheduled: eventMs(e)! });
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const a = out.find((x) => x.id === String(started.scheduledEventId));
      if (a) a.started = eventMs(e);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const a = out.find((x) => x.id === String(completed.scheduledEventId));
      if (a) a.completed = eventMs(e);
    }
  }
  return out;
}

const first = (events: HistoryEvent[], pick: (e: HistoryEvent) => unknown) => eventMs(events.find((e) => pick(e)));
const maxOf = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === values.length && defined.length > 0 ? Math.max(...defined) : undefined;
};
const minOf = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
};

/** Epoch-ms milestones of one engine leaver, in the order they happen. */
export type Milestones = Record<(typeof milestoneOrder)[number], number | undefined>;
const milestoneOrder = [
  'postStarted',
  'webhookReceived',
  'webhookAnswered202',
  'employeeWorkflowStarted',
  'recordHrEventStarted',
  'recordHrEventCompleted',
  'leaverWorkflowStarted',
  'planLeaverStarted',
  'leaverStartedEvidence',
  'planLeaverCompleted',
  'killSessionsScheduled',
  'killSessionsStarted',
  'firstLookupArrivedAtPeer',
  'lastKillRequestArrivedAtPeer',
  'sessionsKilledObserved',
  'lastSessionsKillEvidence',
  'killSessionsCompleted',
] as const;

async function milestones(ctx: Context, s: Sample, calls: PeerCalls, evidence: EvidenceRecord[]): Promise<Milestones> {
  const at = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);
  const ev = (action: string) => evidence.filter((e) => e.action === action);
  const employee = (await ctx.engine.client.workflow.getHandle(s.employeeWorkflowId!).fetchHistory()).events ?? [];
  const leaver = (await ctx.engine.client.workflow.getHandle(s.leaverWorkflowId!).fetchHistory()).events ?? [];
  const record = activityTimes(employee, 'recordHrEvent')[0];
  const plan = activityTimes(leaver, 'planLeaver')[0];
  const kills = activityTimes(leaver, 'killSessions');
  return {
    postStarted: s.startAt,
    webhookReceived: at(ev('hr_event.received')[0]?.occurredAt),
    webhookAnswered202: s.returnedAt,
    employeeWorkflowStarted: first(employee, (e) => e.workflowExecutionStartedEventAttributes),
    recordHrEventStarted: record?.started,
    recordHrEventCompleted: record?.completed,
    leaverWorkflowStarted: first(leaver, (e) => e.workflowExecutionStartedEventAttributes),
    planLeaverStarted: plan?.started,
    leaverStartedEvidence: at(ev('leaver.started')[0]?.occurredAt),
    planLeaverCompleted: plan?.completed,
    killSessionsScheduled: minOf(kills.map((k) => k.scheduled)),
    killSessionsStarted: minOf(kills.map((k) => k.started)),
    firstLookupArrivedAtPeer: minOf([calls.oktaLookup?.at, calls.scimLookup?.at]),
    lastKillRequestArrivedAtPeer: maxOf([calls.oktaKill?.at, calls.scimKill?.at]),
    sessionsKilledObserved: s.killed.at,
    lastSessionsKillEvidence: maxOf(ev('sessions.kill').map((e) => at(e.occurredAt))),
    killSessionsCompleted: maxOf(kills.map((k) => k.completed)),
  };
}

/** Milestones of engine leavers, one after another (each reads its evidence and two workflow histories). */
export async function milestonesOf(ctx: Context, samples: Sample[], calls: PeerCalls[]): Promise<Milestones[]> {
  const rows: Milestones[] = [];
  for (const [i, s] of samples.entries()) {
    rows.push(await milestones(ctx, s, calls[i]!, await ctx.engine.services.evidence.forEmployee(s.employeeId)));
  }
  return rows;
}

const p50p95 = (values: number[]) => (values.length === 0 ? null : { p50: median(values), p95: percentile(values, 95) });

function span(rows: Milestones[], from: keyof Milestones, to: keyof Milestones) {
  return p50p95(rows.flatMap((m) => (m[from] !== undefined && m[to] !== undefined ? [m[to]! - m[from]!] : [])));
}

export type Stages = ReturnType<typeof stagesOf>;

export function stagesOf(rows: Milestones[]) {
  return {
    postToReceiptMs: span(rows, 'postStarted', 'webhookReceived'),
    receiptToLeaverStartedMs: span(rows, 'webhookReceived', 'leaverStartedEvidence'),
    leaverStartedToLastSessionsKillMs: span(rows, 'leaverStartedEvidence', 'lastSessionsKillEvidence'),
    detail: {
      receiptTo202Ms: span(rows, 'webhookReceived', 'webhookAnswered202'),
      receiptToEmployeeWorkflowStartedMs: span(rows, 'webhookReceived', 'employeeWorkflowStarted'),
      employeeWorkflowStartedToRecordHrEventStartedMs: span(rows, 'employeeWorkflowStarted', 'recordHrEventStarted'),
      recordHrEventMs: span(rows, 'recordHrEventStarted', 'recordHrEventCompleted'),
      recordHrEventCompletedToLeaverWorkflowStartedMs: span(rows, 'recordHrEventCompleted', 'leaverWorkflowStarted'),
      leaverWorkflowStartedToPlanLeaverStartedMs: span(rows, 'leaverWorkflowStarted', 'planLeaverStarted'),
      planLeaverMs: span(rows, 'planLeaverStarted', 'planLeaverCompleted'),
      planLeaverCompletedToKillSessionsStartedMs: span(rows, 'planLeaverCompleted', 'killSessionsStarted'),
      leaverStartedToFirstPeerLookupMs: span(rows, 'leaverStartedEvidence', 'firstLookupArrivedAtPeer'),
      firstPeerLookupToKilledMs: span(rows, 'firstLookupArrivedAtPeer', 'sessionsKilledObserved'),
      killedToLastSessionsKillEvidenceMs: span(rows, 'sessionsKilledObserved', 'lastSessionsKillEvidence'),
    },
  };
}

/** The sequential pass's stages, with the baseline's look-up-to-kill span beside them. */
export function sequentialStages(rows: Milestones[], baselineSamples: Sample[], baselineCalls: PeerCalls[]) {
  return {
    note:
      'median (p50) and p95 ms over the sequential engine leavers; each stage is taken per leaver, so stage medians need not add up to the total median. ' +
      'Times come from the bench clock (POST start, 202), the evidence rows (occurredAt), the Temporal histories (server event times) and the peers (request arrival, observed kill), all on one machine.',
    ...stagesOf(rows),
    baseline: {
      firstPeerLookupToKilledMs: p50p95(
        baselineSamples.flatMap((s, i) => {
          const first = minOf([baselineCalls[i]!.oktaLookup?.at, baselineCalls[i]!.scimLookup?.at]);
          return first === undefined ? [] : [s.killed.at - first];
        }),
      ),
    },
  };
}

/** Median (and p95) time of each milestone after the POST started. */
export function timelineFromPost(rows: Milestones[]) {
  return Object.fromEntries(milestoneOrder.map((name) => [name, span(rows, 'postStarted', name)]));
}
