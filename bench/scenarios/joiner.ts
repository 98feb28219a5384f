/**
 * The joiner scenario: how long from the start of a signed BambooHR hire webhook POST until the
 * joiner's accounts exist and their entitlements are granted in every connected system, with
 * the systems answering after 150 ms, against the same accounts and groups made directly. Its
 * policy, hire record and peer-log reading are here; its result file is in joiner-result.ts.
 */
import type { Connector } from '../../src/connectors/types';
import type { EvidenceRecord } from '../../src/evidence/types';
import type { PeerRequest } from '../../test/peers/request-log';
import { activityTimes, first, intakeMilestones } from '../history';
import { lifecycleBenchmark } from '../lifecycle/runner';
import type { Context, Milestones, Scenario } from '../lifecycle/scenario';
import { latencyMs } from '../options';
import { decode } from '../peer-log';
import { watching } from '../peer-watch';
import { p50Of, stageLine } from '../print';
import { isoMs as at, maxOf, minOf, span as spanOf } from '../timeline';
import { joinerResult, type JoinerResult } from './joiner-result';
import { hireDelivery } from '../../test/harness/bamboohr';

/** Every joiner gets an account and a group in both systems, with no approval on the way. */
export const policyYaml = `policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
joiner: { provisionLeadTime: 3d }
`;

/** The group the policy grants in each system (and the bench seeds in both peers). */
export const groups = { okta: 'staff', scim: 'engineering' } as const;

/** A start date long past, so the worker has started and accounts are created active at once. */
export const hireDate = '2024-01-08';

/** A field-based BambooHR delivery: a new Engineering worker, active, started on `hireDate`. */
const joinerDelivery = (employeeId: string, workEmail: string) =>
  hireDelivery(employeeId, workEmail, { firstName: 'Bench', lastName: `Joiner${employeeId}`, hireDate, department: 'Engineering' });

export interface PeerCalls {
  /** Okta: the first GET /api/v1/users/{login} (the engine's "does the account exist" look-up). */
  oktaLookup?: PeerRequest;
  /** Okta: POST /api/v1/users for this login. */
  oktaCreate?: PeerRequest;
  /** Okta: PUT /api/v1/groups/{gid}/users/{id} (the policy grants one group per system). */
  oktaGrant?: PeerRequest;
  scimLookup?: PeerRequest;
  /** SCIM: POST /Users for this userName. */
  scimCreate?: PeerRequest;
  /** SCIM: PATCH /Groups/{id} adding this user as a member. */
  scimGrant?: PeerRequest;
}

export const milestoneOrder = [
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
export type K = (typeof milestoneOrder)[number];

export function stagesOf(rows: Milestones<K>[]) {
  const span = (from: K, to: K) => spanOf(rows, from, to);
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
export type Stages = ReturnType<typeof stagesOf>;

/**
 * Takes the joiners measured so far back out of the two groups, off the clock, so every joiner
 * is granted into a group of the same small size. The SCIM server (scimmy) validates every
 * member of a group on each PATCH /Groups, so its handler time after the latency grows with
 * the group (about 10 ms at a few members, 30-60 ms at 100-300); left to grow, that drift would
 * show in the later samples of both the engine and the baseline. Accounts stay as they are.
 */
async function releaseGroups(ctx: Context): Promise<void> {
  await Promise.all(
    ctx.measured.map(async ({ login }) => {
      const oktaId = ctx.targets.okta.user(login)?.id;
      const scimId = ctx.targets.scim.user(login)?.id;
      await Promise.all([
        oktaId ? ctx.direct.okta.revokeEntitlement(oktaId, `group:${groups.okta}`) : undefined,
        scimId ? ctx.direct.scim.revokeEntitlement(scimId, `group:${groups.scim}`) : undefined,
      ]);
    }),
  );
}

const joiner: Scenario<PeerCalls, K, Stages, 'joiners', JoinerResult> = {
  name: 'joiner',
  unit: 'joiners',
  ids: { base: 800_000, loginPrefix: 'bench.joiner' },
  config: policyYaml,
  seed: (targets) => targets.seedGroups([groups.okta, groups.scim]),
  delivery: (w) => joinerDelivery(w.employeeId, w.login),
  workflowPrefix: 'joiner-',
  // Resolves when the Okta peer shows the user in `staff` and the SCIM server shows the user in `engineering` (each implies the account).
  watch(ctx, { login }) {
    if (ctx.targets.okta.user(login) || ctx.targets.scim.user(login)) throw new Error(`grant watch: ${login} already has an account`);
    return watching(ctx.watch, {
      what: `accounts and groups of ${login}`,
      okta: (t) => t.okta.user(login)?.groups.includes(groups.okta) === true,
      scim: (t) => t.scim.user(login)?.groups.includes(groups.scim) === true,
    });
  },
  // createAccount (active, as for a worker who has started) then grantEntitlement, Okta alongside SCIM; group IDs are kept once looked up, as the engine's are.
  async baseline(ctx, { employeeId, login }) {
    const provisionIn = async (connector: Connector, group: string) => {
      const account = await connector.createAccount!({ login, email: login, firstName: 'Bench', lastName: `Joiner${employeeId}`, active: true });
      await connector.grantEntitlement(account.id, `group:${group}`);
    };
    await Promise.all([provisionIn(ctx.direct.okta, groups.okta), provisionIn(ctx.direct.scim, groups.scim)]);
  },
  reset: releaseGroups,
  concurrentNote:
    'each of the concurrency slots runs one joiner end to end (accounts and grants, then the rest of the joiner workflow) before taking the next; ' +
    'wall time is for the whole pass including the steps after the grants; the groups are emptied before each half, so each half grows them from 0 to n members',
  peerCalls(targets, logs, s) {
    const oktaId = targets.okta.user(s.login)?.id;
    const scimId = targets.scim.user(s.login)?.id;
    const after = (r: PeerRequest) => r.at >= s.startAt;
    const body = (r: PeerRequest) => (r.body ?? {}) as { profile?: { login?: string }; userName?: string; Operations?: { value?: { value?: string }[] }[] };
    return {
      oktaLookup: logs.okta.find((r) => after(r) && r.method === 'GET' && decode(r.path) === `/api/v1/users/${s.login}`),
      oktaCreate: logs.okta.find((r) => after(r) && r.method === 'POST' && r.path === '/api/v1/users' && body(r).profile?.login === s.login),
      oktaGrant: logs.okta.find((r) => after(r) && r.method === 'PUT' && r.path.startsWith('/api/v1/groups/') && r.path.endsWith(`/users/${oktaId}`)),
      scimLookup: logs.scim.find((r) => after(r) && r.method === 'GET' && r.path.endsWith('/Users') && decode(r.query).includes(`"${s.login}"`)),
      scimCreate: logs.scim.find((r) => after(r) && r.method === 'POST' && r.path.endsWith('/Users') && body(r).userName === s.login),
      scimGrant: logs.scim.find(
        (r) => after(r) && r.method === 'PATCH' && r.path.includes('/Groups/') && (body(r).Operations ?? []).some((op) => (op.value ?? []).some((m) => m.value === scimId)),
      ),
    };
  },
  // Both peers change membership in the handler, which runs only after the latency, so no grant can have been visible earlier.
  lowerBound: (c) => (c.oktaGrant && c.scimGrant ? Math.max(c.oktaGrant.at, c.scimGrant.at) + latencyMs : undefined),
  milestones({ evidence, employee, child }, s, calls) {
    const ev = (action: string) => evidence.filter((e) => e.action === action && e.outcome === 'success');
    const plan = activityTimes(child, 'planJoiner')[0];
    const ensure = activityTimes(child, 'ensureAccount');
    // Two systems, one account and one group each: both rows must be there for "last".
    const lastOfTwo = (rows: EvidenceRecord[]) => (rows.length === 2 ? maxOf(rows.map((e) => at(e.occurredAt))) : undefined);
    return {
      ...intakeMilestones(s, evidence, employee),
      joinerWorkflowStarted: first(child, (e) => e.workflowExecutionStartedEventAttributes),
      planJoinerStarted: plan?.started,
      joinerStartedEvidence: at(ev('joiner.started')[0]?.occurredAt),
      planJoinerCompleted: plan?.completed,
      ensureAccountStarted: minOf(ensure.map((a) => a.started)),
      firstLookupArrivedAtPeer: minOf([calls.oktaLookup?.at, calls.scimLookup?.at]),
      lastCreateRequestArrivedAtPeer: maxOf([calls.oktaCreate?.at, calls.scimCreate?.at]),
      lastAccountCreateEvidence: lastOfTwo(ev('account.create')),
      lastGrantRequestArrivedAtPeer: maxOf([calls.oktaGrant?.at, calls.scimGrant?.at]),
      grantedObserved: s.seen.at,
      lastEntitlementGrantEvidence: lastOfTwo(ev('entitlement.grant')),
      joinerCompletedEvidence: at(ev('joiner.completed')[0]?.occurredAt),
      joinerWorkflowClosed: first(child, (e) => e.workflowExecutionCompletedEventAttributes),
    };
  },
  milestoneOrder,
  stagesOf,
  result: joinerResult,
  print: {
    engineLabel: 'engine  POST -> granted',
    baselineLabel: 'direct  calls -> granted',
    afterSummary: (r) => [`ratio p50 ${r.ratioP50}`],
    stageLines: (r) => [
      stageLine('POST -> webhook received', r.stages.postToReceiptMs),
      stageLine('received -> joiner.started', r.stages.receiptToJoinerStartedMs),
      stageLine('joiner.started -> last account.create', r.stages.joinerStartedToLastAccountCreateMs),
      stageLine('last account.create -> last entitlement.grant', r.stages.lastAccountCreateToLastGrantMs),
      ...Object.entries(r.stages.detail).map(([k, v]) => stageLine(`  ${k.replace(/Ms$/, '')}`, v)),
      '',
      'client time between peer calls, per joiner (p50 ms)',
      stageLine('engine  okta', r.stages.clientGapsBetweenPeerCallsMs.engineOkta),
      stageLine('engine  scim', r.stages.clientGapsBetweenPeerCallsMs.engineScim),
      stageLine('direct  okta', r.stages.clientGapsBetweenPeerCallsMs.baselineOkta),
      stageLine('direct  scim', r.stages.clientGapsBetweenPeerCallsMs.baselineScim),
    ],
    concurrentStages: (cs) =>
      `POST -> received ${p50Of(cs.postToReceiptMs)}, received -> joiner.started ${p50Of(cs.receiptToJoinerStartedMs)}, ` +
      `joiner.started -> first peer look-up ${p50Of(cs.detail.joinerStartedToFirstPeerLookupMs)}, look-up -> granted ${p50Of(cs.detail.firstPeerLookupToGrantedMs)}`,
  },
};

export const joinerBenchmark = lifecycleBenchmark(joiner, 'webhook POST -> accounts created and entitlements granted in every system, against direct calls');
