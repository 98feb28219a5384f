import { condition, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { JoinerActivities, JoinerPlan } from '../activities/joiner';
import type { LeaverActivities, StepResult, SystemStep } from '../activities/leaver';
import { notifications, quietly } from './notify';
import type { HrEvent } from '../src/hris/hr-event';
import { rescindJoinerSignal } from '../src/temporal/messages';
import { approvalIdFor, runApproval } from './approval-step';
import { ApprovalBook } from './approvals';

export interface JoinerInput {
  event: HrEvent;
  /** A rehire after a completed leaver: everything beyond birthright needs approval again. */
  rehire?: boolean;
}


export interface JoinerResult {
  rescinded: boolean;
  startAt: string;
  created: StepResult[];
  granted: StepResult[];
  /** How each approval the policy asked for ended (approved ones are also in granted). */
  approvals: StepResult[];
  enabled: StepResult[];
}

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const planning = proxyActivities<Pick<JoinerActivities, 'planJoiner' | 'millisUntil' | 'recordJoinerMilestone'>>({
  startToCloseTimeout: '30s',
  retry,
  summary: 'plan joiner / record milestone',
});

const notify = notifications('tell the manager what is ready');

function steps(summary: string) {
  return proxyActivities<
    Pick<JoinerActivities, 'ensureAccount' | 'grantEntitlement' | 'enableAccount'> &
      Pick<LeaverActivities, 'disableAccount' | 'revokeEntitlements'>
  >({ startToCloseTimeout: '60s', retry, summary });
}

/**
 * A worker joins: at start minus the lead time, create an account in each system the policy
 * gives them something in (not yet active before the start) and grant what needs no approval;
 * at the start, enable the accounts. A rescind before the start removes what was created.
 */
export async function joinerWorkflow(input: JoinerInput): Promise<JoinerResult> {
  let rescindedBy: string | undefined;
  let started = false;
  setHandler(rescindJoinerSignal, ({ hrEventId }) => {
    if (started) log.warn('rescind after the start date: handled as a leaver by HR', { hrEventId });
    else rescindedBy ??= hrEventId;
  });

  const book = new ApprovalBook();
  const plan = await planning.planJoiner(input.event, { approvalBeyondBirthright: input.rehire === true });
  const result: JoinerResult = { rescinded: false, startAt: plan.startAt, created: [], granted: [], approvals: [], enabled: [] };
  const step = (system: string): SystemStep => ({ system, login: plan.login, employeeId: plan.employeeId, source: plan.source, hrEventId: plan.hrEventId });

  if (plan.provisionWaitMs > 0) {
    await condition(() => rescindedBy !== undefined, plan.provisionWaitMs, { summary: 'wait for provisioning lead time' });
    if (rescindedBy !== undefined) return rescind(plan, result, rescindedBy, false);
  }

  await Promise.all(plan.systems.map((s) => provisionSystem(plan, s, step(s.system), result)));
  await planning.recordJoinerMilestone({ action: 'joiner.provisioned', plan, detail: { systems: plan.systems.map((s) => s.system) } });
  const told = patched('joiner-notifications') ? tellManager(plan, result) : Promise.resolve();
  // Approvals run beside the wait for the start date: access is granted when an approver says so.
  const approvals = Promise.all(
    plan.systems.flatMap((s) =>
      s.grants
        .map((grant, index) => ({ grant, index }))
        .filter(({ grant }) => grant.approvalRequired)
        .map(({ grant, index }) =>
          runApproval(book, { ...step(s.system), grant, approvalId: approvalIdFor(plan, s.system, index), worker: plan.worker, hrEvent: plan.hrEvent }, result, {
            cancelled: () => rescindedBy !== undefined,
            cancelReason: 'hire rescinded',
          }),
        ),
    ),
  );

  if (!plan.started) {
    const untilStart = await planning.millisUntil(plan.startAt);
    if (untilStart > 0) await condition(() => rescindedBy !== undefined, untilStart, { summary: 'wait for start date' });
    if (rescindedBy !== undefined) {
      await approvals;
      return rescind(plan, result, rescindedBy, true);
    }
    started = true;
    result.enabled = await Promise.all(plan.systems.map((s) => steps(`enable account: ${s.system}`).enableAccount(step(s.system))));
  }
  started = true;
  await approvals;
  await told;
  await planning.recordJoinerMilestone({ action: 'joiner.completed', plan });
  return result;
}

async function provisionSystem(plan: JoinerPlan, system: JoinerPlan['systems'][number], base: SystemStep, result: JoinerResult): Promise<void> {
  const acts = steps(`provision: ${system.system}`);
  const account = await acts.ensureAccount({ ...base, firstName: plan.firstName, lastName: plan.lastName, active: plan.started });
  result.created.push(account);
  // The grants reuse the account just found or created rather than looking it up again.
  for (const grant of system.grants.filter((g) => !g.approvalRequired)) {
    result.granted.push(await acts.grantEntitlement({ ...base, accountId: account.accountId, grant }));
  }
}

/** Tells the manager what is ready and what waits for approval; a failure is logged, never fatal. */
function tellManager(plan: JoinerPlan, result: JoinerResult): Promise<void> {
  const granted = new Map<string, string[]>();
  for (const s of plan.systems) granted.set(s.system, s.grants.filter((g) => !g.approvalRequired).map((g) => g.entitlement));
  const notice = notify.notifyJoinerProvisioned({
    employeeId: plan.employeeId,
    hrSource: plan.source,
    source: plan.source,
    ...(plan.worker.name ? { name: plan.worker.name } : {}),
    ...(plan.worker.managerId ? { managerId: plan.worker.managerId } : {}),
    startAt: plan.startAt,
    systems: [...granted].map(([system, list]) => ({ system, granted: list })),
    pendingApprovals: plan.systems.flatMap((s) => s.grants.filter((g) => g.approvalRequired).map((g) => ({ system: s.system, entitlement: g.entitlement }))),
  });
  return quietly(notice, 'joiner provisioned', { employeeId: plan.employeeId, created: result.created.length });
}

/** Withdrawn before the start: undo whatever was provisioned, then record why. */
async function rescind(plan: JoinerPlan, result: JoinerResult, rescindedBy: string, provisioned: boolean): Promise<JoinerResult> {
  if (provisioned) {
    await Promise.all(
      plan.systems.map(async (s) => {
        const acts = steps(`remove: ${s.system}`);
        const target: SystemStep = { system: s.system, login: plan.login, employeeId: plan.employeeId, source: plan.source, hrEventId: plan.hrEventId };
        await acts.revokeEntitlements(target);
        await acts.disableAccount(target);
      }),
    );
  }
  await planning.recordJoinerMilestone({ action: 'joiner.rescinded', plan, detail: { rescindedBy, provisioned } });
  return { ...result, rescinded: true };
}
