import { allHandlersFinished, condition, log, patched, setHandler } from '@temporalio/workflow';
import type { JoinerPlan } from '../activities/joiner';
import type { SystemStep } from '../activities/system-step';
import type { HrEvent } from '../src/hris/hr-event';
import { joinerChangeSignal, rescindJoinerSignal, withdrawSignal, type ApprovalCancelReason } from '../src/temporal/messages';
import { AccessGate } from './access-gate';
import { loginFor } from '../src/identity/system-login';
import { ApprovalBook } from './approvals';
import { JoinerRun, planning, steps, type JoinerResult } from './joiner-run';
import { notifications, quietly } from './notify';
import { genuine, genuineReference, lifecycleEvent, verifying } from './hr-verify';

export type { JoinerResult } from './joiner-run';

export interface JoinerInput {
  event: HrEvent;
  /** A rehire after a completed leaver: everything beyond birthright needs approval again. */
  rehire?: boolean;
}

const notify = notifications('tell the manager what is ready');

/**
 * A worker joins: at start minus the lead time, create an account in each system the policy
 * gives them something in (not yet active before the start) and grant what needs no approval;
 * at the start, enable the accounts. A rescind before the start removes what was created; a
 * change before the joiner finishes re-plans it at once; a termination stops it (withdraw).
 */
export async function joinerWorkflow(input: JoinerInput): Promise<JoinerResult> {
  let rescindedBy: string | undefined;
  const gate = new AccessGate();
  const book = new ApprovalBook();
  const changes: HrEvent[] = [];
  const current: { run?: JoinerRun } = {};
  const worker = { source: input.event.source, employeeId: input.event.employeeId };
  const rescinded = (hrEventId: string) => {
    if (current.run?.started) log.warn('rescind after the start date: handled as a leaver by HR', { hrEventId });
    else rescindedBy ??= hrEventId;
  };
  // Runs that began since HR events are checked take a signalled one only once it checks out.
  setHandler(rescindJoinerSignal, ({ hrEventId }) => {
    if (!verifying()) return rescinded(hrEventId);
    return genuineReference({ ...worker, eventId: hrEventId, kinds: ['rescind'] }, 'lifecycle_signal').then((ok) => void (ok && rescinded(hrEventId)));
  });
  setHandler(joinerChangeSignal, (event) => {
    if (!verifying()) return void changes.push(event);
    return genuine(lifecycleEvent(event, 'lifecycle_signal')).then((ok) => void (ok && changes.push(event)));
  });
  setHandler(withdrawSignal, async (w) => {
    if (verifying() && !(await genuineReference({ ...worker, eventId: w.hrEventId, kinds: ['terminate'] }, 'lifecycle_signal'))) return;
    book.cancel('worker_left');
    await gate.withdraw(w);
  });
  const cancelled = (): ApprovalCancelReason | undefined => (gate.withdrawn ? 'worker_left' : rescindedBy !== undefined ? 'hire_rescinded' : undefined);
  const stopped = () => cancelled() !== undefined;

  const rehire = input.rehire === true;
  // Before anything else: the hire must be the one the intake stored.
  if (!(await genuine(lifecycleEvent(input.event)))) return refused(input.event);
  const plan = await planning.planJoiner(input.event, { approvalBeyondBirthright: rehire });
  const result: JoinerResult = { rescinded: false, startAt: plan.startAt, created: [], granted: [], approvals: [], enabled: [] };
  const r = (current.run = new JoinerRun(plan, result, gate, book, cancelled, rehire));

  if (r.plan.provisionWaitMs > 0) {
    // Before anything is provisioned, a change only re-plans.
    for (let left = r.plan.provisionWaitMs; left > 0; left = r.plan.provisionWaitMs) {
      const woke = await condition(() => stopped() || changes.length > 0, left, { summary: 'wait for provisioning lead time' });
      if (!woke || stopped()) break;
      await r.applyChange(changes.shift() as HrEvent, false);
    }
    if (rescindedBy !== undefined) return rescind(r, rescindedBy, false);
    if (gate.withdrawn) return withdrawn(r, []);
  }

  await r.provision();
  if (gate.withdrawn) return withdrawn(r, []);
  await planning.recordJoinerMilestone({ action: 'joiner.provisioned', plan: r.plan, detail: { systems: r.plan.systems.map((s) => s.system) } });
  const told = patched('joiner-notifications') ? tellManager(r.plan, result) : Promise.resolve();
  // Approvals run beside the wait for the start date: access is granted when an approver says so.
  r.askApprovals(r.plan, r.plan.hrEventId);

  if (!r.plan.started) {
    const untilStart = await planning.millisUntil(r.plan.startAt);
    await r.waitApplyingChanges(untilStart, changes, stopped, 'wait for start date', () => planning.millisUntil(r.plan.startAt));
    if (rescindedBy !== undefined) {
      await Promise.all([...r.approvals.values()].map((a) => a.done));
      return rescind(r, rescindedBy, true);
    }
    if (gate.withdrawn) return withdrawn(r, [...r.approvals.values()].map((a) => a.done));
    r.started = true;
    const enabled = await Promise.all(r.plan.systems.map((s) => gate.run(() => steps(`enable account: ${s.system}`, s.system).enableAccount(r.step(s.system)))));
    result.enabled = enabled.filter((e) => e !== undefined);
  }
  r.started = true;
  await r.settleApprovals(changes, () => gate.withdrawn !== undefined);
  if (gate.withdrawn) return withdrawn(r, [...r.approvals.values()].map((a) => a.done));
  await told;
  // A change that arrived while the joiner was finishing still re-plans it.
  if (changes.length > 0) await r.settleApprovals(changes, () => gate.withdrawn !== undefined);
  if (gate.withdrawn) return withdrawn(r, [...r.approvals.values()].map((a) => a.done));
  await planning.recordJoinerMilestone({ action: 'joiner.completed', plan: r.plan });
  return result;
}

/** Its HR event did not check out (recorded and alerted): nothing was done to any system. */
function refused(event: HrEvent): JoinerResult {
  return { rescinded: false, startAt: event.effectiveDate ?? '', created: [], granted: [], approvals: [], enabled: [], refused: 'hr_event_unverified' };
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
async function rescind(r: JoinerRun, rescindedBy: string, provisioned: boolean): Promise<JoinerResult> {
  const plan = r.plan;
  if (provisioned) {
    const systems = [...new Set([...plan.systems.map((s) => s.system), ...r.touched])];
    await Promise.all(
      systems.map(async (system) => {
        const acts = steps(`remove: ${system}`, system);
        const target: SystemStep = { system, ...loginFor(plan, system), employeeId: plan.employeeId, source: plan.source, hrEventId: plan.hrEventId };
        await acts.revokeEntitlements(target);
        await acts.disableAccount(target);
      }),
    );
  }
  await planning.recordJoinerMilestone({ action: 'joiner.rescinded', plan, detail: { rescindedBy, provisioned } });
  return { ...r.result, rescinded: true };
}

/**
 * The worker left before the joiner finished: nothing more is granted (the leaver removes what
 * was); pending approvals end as cancelled (worker_left) and their messages say so.
 */
async function withdrawn(r: JoinerRun, approvals: Promise<void>[]): Promise<JoinerResult> {
  await Promise.all(approvals);
  await condition(allHandlersFinished);
  const w = r.gate.withdrawn;
  await planning.recordJoinerMilestone({ action: 'joiner.withdrawn', plan: r.plan, detail: { reason: w?.reason, byHrEvent: w?.hrEventId } });
  return { ...r.result, withdrawn: 'worker_left' };
}
