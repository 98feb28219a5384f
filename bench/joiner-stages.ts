/**
 * Where each engine joiner's time went: per-joiner milestones from the evidence rows
 * (`hr_event.received`, `joiner.started`, `account.create`, `entitlement.grant`), the Temporal
 * workflow histories and the peers' request logs, and the stage spans (p50/p95) between them.
 */
import type { EvidenceRecord } from '../src/evidence/types';
import type { PeerRequest } from '../test/peers/request-log';
import { clientGapsMs, type PeerCalls } from './joiner-peer-calls';
import type { Context, Sample } from './joiner-sample';
import { activityTimes, first, isoMs as at, maxOf, minOf, p50p95, span as spanOf, timeline } from './timeline';

/** Epoch-ms milestones of one engine joiner, in the order they happen. */
export type Milestones = Record<(typeof milestoneOrder)[number], number | undefined>;
const milestoneOrder = [
  'postStarted',
  'webhookReceived',
  'webhookAnswered202',
  'employeeWorkflowStarted',
  'recordHrEventStarted',
  'recordHrEventCompleted',
  'joinerWorkflowStarted',
  'planJoinerStarted',
  'joinerStartedEvidence',
  'planJoinerCompleted',
  'ensureAccountStarted',
  'firstLookupArrivedAtPeer',
  'lastCreateRequestArrivedAtPeer',
  'lastAccountCreateEvidence',
  'lastGrantRequestArrivedAtPeer',
  'grantedObserved',
  'lastEntitlementGrantEvidence',
  'joinerCompletedEvidence',
  'joinerWorkflowClosed',
] as const;

async function milestones(ctx: Context, s: Sample, calls: PeerCalls, evidence: EvidenceRecord[]): Promise<Milestones> {
  const ev = (action: string) => evidence.filter((e) => e.action === action && e.outcome === 'success');
  const employee = (await ctx.engine.client.workflow.getHandle(s.employeeWorkflowId!).fetchHistory()).events ?? [];
  const joiner = (await ctx.engine.client.workflow.getHandle(s.joinerWorkflowId!).fetchHistory()).events ?? [];
  const record = activityTimes(employee, 'recordHrEvent')[0];
  const plan = activityTimes(joiner, 'planJoiner')[0];
  const ensure = activityTimes(joiner, 'ensureAccount');
  // Two systems, one account and one group each: both rows must be there for "last".
  const lastOfTwo = (rows: EvidenceRecord[]) => (rows.length === 2 ? maxOf(rows.map((e) => at(e.occurredAt))) : undefined);
  return {
    postStarted: s.startAt,
    webhookReceived: at(ev('hr_event.received')[0]?.occurredAt),
    webhookAnswered202: s.returnedAt,
    employeeWorkflowStarted: first(employee, (e) => e.workflowExecutionStartedEventAttributes),
    recordHrEventStarted: record?.started,
    recordHrEventCompleted: record?.completed,
    joinerWorkflowStarted: first(joiner, (e) => e.workflowExecutionStartedEventAttributes),
    planJoinerStarted: plan?.started,
    joinerStartedEvidence: at(ev('joiner.started')[0]?.occurredAt),
    planJoinerCompleted: plan?.completed,
    ensureAccountStarted: minOf(ensure.map((a) => a.started)),
    firstLookupArrivedAtPeer: minOf([calls.oktaLookup?.at, calls.scimLookup?.at]),
    lastCreateRequestArrivedAtPeer: maxOf([calls.oktaCreate?.at, calls.scimCreate?.at]),
    lastAccountCreateEvidence: lastOfTwo(ev('account.create')),
    lastGrantRequestArrivedAtPeer: maxOf([calls.oktaGrant?.at, calls.scimGrant?.at]),
    grantedObserved: s.granted.at,
    lastEntitlementGrantEvidence: lastOfTwo(ev('entitlement.grant')),
    joinerCompletedEvidence: at(ev('joiner.completed')[0]?.occurredAt),
    joinerWorkflowClosed: first(joiner, (e) => e.workflowExecutionCompletedEventAttributes),
  };
}

/** Milestones of engine joiners, one after another (each reads its evidence and two workflow histories). */
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
    receiptToJoinerStartedMs: span('webhookReceived', 'joinerStartedEvidence'),
    joinerStartedToLastAccountCreateMs: span('joinerStartedEvidence', 'lastAccountCreateEvidence'),
    lastAccountCreateToLastGrantMs: span('lastAccountCreateEvidence', 'lastEntitlementGrantEvidence'),
    detail: {
      receiptTo202Ms: span('webhookReceived', 'webhookAnswered202'),
      receiptToEmployeeWorkflowStartedMs: span('webhookReceived', 'employeeWorkflowStarted'),
      employeeWorkflowStartedToRecordHrEventStartedMs: span('employeeWorkflowStarted', 'recordHrEventStarted'),
      recordHrEventMs: span('recordHrEventStarted', 'recordHrEventCompleted'),
      recordHrEventCompletedToJoinerWorkflowStartedMs: span('recordHrEventCompleted', 'joinerWorkflowStarted'),
      joinerWorkflowStartedToPlanJoinerStartedMs: span('joinerWorkflowStarted', 'planJoinerStarted'),
      planJoinerMs: span('planJoinerStarted', 'planJoinerCompleted'),
      planJoinerCompletedToEnsureAccountStartedMs: span('planJoinerCompleted', 'ensureAccountStarted'),
      joinerStartedToFirstPeerLookupMs: span('joinerStartedEvidence', 'firstLookupArrivedAtPeer'),
      firstPeerLookupToGrantedMs: span('firstLookupArrivedAtPeer', 'grantedObserved'),
      grantedToLastEntitlementGrantEvidenceMs: span('grantedObserved', 'lastEntitlementGrantEvidence'),
      grantedToJoinerCompletedMs: span('grantedObserved', 'joinerCompletedEvidence'),
    },
  };
}

/** The sequential pass's stages, with the baseline's first-request-to-granted span and both sides' client gaps beside them. */
export function sequentialStages(
  rows: Milestones[],
  engineSamples: Sample[],
  baselineSamples: Sample[],
  baselineCalls: PeerCalls[],
  logs: { okta: PeerRequest[]; scim: PeerRequest[] },
) {
  const gaps = (samples: Sample[], log: PeerRequest[]) => p50p95(samples.flatMap((s) => clientGapsMs(log, s) ?? []));
  return {
    note:
      'median (p50) and p95 ms over the sequential engine joiners; each stage is taken per joiner, so stage medians need not add up to the total median. ' +
      'Times come from the bench clock (POST start, 202), the evidence rows (occurredAt, written after the step\'s call returned), ' +
      'the Temporal histories (server event times) and the peers (request arrival, observed grants), all on one machine.',
    ...stagesOf(rows),
    clientGapsBetweenPeerCallsMs: {
      note:
        "per system, summed over a joiner's requests up to the grant: next request's arrival minus (previous request's arrival + 150 ms), " +
        'i.e. the time between answers and the next call: the client side (engine: activity scheduling, evidence writes, workflow tasks) ' +
        "plus the peer's own handler time after its 150 ms",
      engineOkta: gaps(engineSamples, logs.okta),
      engineScim: gaps(engineSamples, logs.scim),
      baselineOkta: gaps(baselineSamples, logs.okta),
      baselineScim: gaps(baselineSamples, logs.scim),
    },
    baseline: {
      firstPeerRequestToGrantedMs: p50p95(
        baselineSamples.flatMap((s, i) => {
          const firstRequest = minOf([baselineCalls[i]!.oktaCreate?.at, baselineCalls[i]!.scimCreate?.at]);
          return firstRequest === undefined ? [] : [s.granted.at - firstRequest];
        }),
      ),
    },
  };
}

/** Median (and p95) time of each milestone after the POST started. */
export function timelineFromPost(rows: Milestones[]) {
  return timeline(rows, milestoneOrder, 'postStarted');
}
