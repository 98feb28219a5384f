/**
 * Where each engine leaver's time went: per-leaver milestones from the evidence rows
 * (`hr_event.received`, `leaver.started`, `sessions.kill`), the Temporal workflow histories and
 * the peers' request logs, and the stage spans (p50/p95) between them.
 */
import type { EvidenceRecord } from '../src/evidence/types';
import type { PeerCalls } from './leaver-peer-calls';
import type { Context, Sample } from './leaver-sample';
import { activityTimes, first, isoMs as at, maxOf, minOf, p50p95, span as spanOf, timeline } from './timeline';

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

export type Stages = ReturnType<typeof stagesOf>;

export function stagesOf(rows: Milestones[]) {
  const span = (from: keyof Milestones, to: keyof Milestones) => spanOf(rows, from, to);
  return {
    postToReceiptMs: span('postStarted', 'webhookReceived'),
    receiptToLeaverStartedMs: span('webhookReceived', 'leaverStartedEvidence'),
    leaverStartedToLastSessionsKillMs: span('leaverStartedEvidence', 'lastSessionsKillEvidence'),
    detail: {
      receiptTo202Ms: span('webhookReceived', 'webhookAnswered202'),
      receiptToEmployeeWorkflowStartedMs: span('webhookReceived', 'employeeWorkflowStarted'),
      employeeWorkflowStartedToRecordHrEventStartedMs: span('employeeWorkflowStarted', 'recordHrEventStarted'),
      recordHrEventMs: span('recordHrEventStarted', 'recordHrEventCompleted'),
      recordHrEventCompletedToLeaverWorkflowStartedMs: span('recordHrEventCompleted', 'leaverWorkflowStarted'),
      leaverWorkflowStartedToPlanLeaverStartedMs: span('leaverWorkflowStarted', 'planLeaverStarted'),
      planLeaverMs: span('planLeaverStarted', 'planLeaverCompleted'),
      planLeaverCompletedToKillSessionsStartedMs: span('planLeaverCompleted', 'killSessionsStarted'),
      leaverStartedToFirstPeerLookupMs: span('leaverStartedEvidence', 'firstLookupArrivedAtPeer'),
      firstPeerLookupToKilledMs: span('firstLookupArrivedAtPeer', 'sessionsKilledObserved'),
      killedToLastSessionsKillEvidenceMs: span('sessionsKilledObserved', 'lastSessionsKillEvidence'),
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
          const firstLookup = minOf([baselineCalls[i]!.oktaLookup?.at, baselineCalls[i]!.scimLookup?.at]);
          return firstLookup === undefined ? [] : [s.killed.at - firstLookup];
        }),
      ),
    },
  };
}

/** Median (and p95) time of each milestone after the POST started. */
export function timelineFromPost(rows: Milestones[]) {
  return timeline(rows, milestoneOrder, 'postStarted');
}
