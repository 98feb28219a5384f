import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { onSystemQueue } from './system-queue';
import type { JoinerActivities } from '../activities/joiner';
import type { MoverActivities } from '../activities/mover';
import type { StepResult, SystemStep } from '../activities/system-step';
import type { HrEvent, WorkerAttributes } from '../src/hris/hr-event';
import { moverChangeSignal, withdrawSignal } from '../src/temporal/messages';
import { AccessGate } from './access-gate';
import { loginFor } from '../src/identity/system-login';
import { approvalIdFor, runApproval } from './approval-step';
import { ApprovalBook } from './approvals';
import { genuine, genuineReference, lifecycleEvent, verifying } from './hr-verify';

export interface MoverInput {
  /** The change, with the worker's attributes merged over what was known before it. */
  event: HrEvent;
  previous?: WorkerAttributes;
}


export interface MoverResult {
  passes: number;
  created: StepResult[];
  granted: StepResult[];
  approvals: StepResult[];
  revoked: StepResult[];
  /** Set when the mover was stopped because the worker left (the leaver removes what is held). */
  withdrawn?: 'worker_left';
  /** Set when its HR event did not check out against the inbox: nothing was done. */
  refused?: 'hr_event_unverified';
}

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const planning = proxyActivities<Pick<MoverActivities, 'planMoverGrants' | 'planMoverRevokes'> & Pick<JoinerActivities, 'recordJoinerMilestone'>>({
  startToCloseTimeout: '60s',
  retry,
  summary: 'plan mover / record milestone',
});

function steps(summary: string, system: string) {
  return proxyActivities<Pick<JoinerActivities, 'ensureAccount' | 'grantEntitlement'> & Pick<MoverActivities, 'revokeEntitlement'>>({
    ...onSystemQueue(system),
    startToCloseTimeout: '60s',
    retry,
    summary,
  });
}

/**
 * A worker changes role: what the new attributes give is granted now (with approval where the
 * policy asks); what they no longer give is revoked after `mover.revokeOldAccessAfter`. A
 * further change in that window re-plans from the latest attributes, so nothing the newest role
 * still gives is revoked. A termination taking effect stops it (withdraw): nothing more is
 * granted, pending approvals end as cancelled, and the leaver revokes what is held.
 */
export async function moverWorkflow(input: MoverInput): Promise<MoverResult> {
  let latest = input.event;
  let changed = true;
  const take = (event: HrEvent) => {
    latest = event;
    changed = true;
  };
  // Runs that began since HR events are checked take a signalled one only once it checks out.
  setHandler(moverChangeSignal, (event) => {
    if (!verifying()) return take(event);
    return genuine(lifecycleEvent(event, 'lifecycle_signal')).then((ok) => void (ok && take(event)));
  });
  const book = new ApprovalBook();
  const gate = new AccessGate();
  const worker = { source: input.event.source, employeeId: input.event.employeeId };
  setHandler(withdrawSignal, async (w) => {
    if (verifying() && !(await genuineReference({ ...worker, eventId: w.hrEventId, kinds: ['terminate'] }, 'lifecycle_signal'))) return;
    book.cancel('worker_left');
    await gate.withdraw(w);
  });
  const cancelled = () => (gate.withdrawn ? ('worker_left' as const) : undefined);
  const result: MoverResult = { passes: 0, created: [], granted: [], approvals: [], revoked: [] };
  // Before anything else: the change (and what the worker had before it) must be what the intake stored.
  if (!(await genuine({ ...lifecycleEvent(input.event), ...(input.previous ? { previous: input.previous } : {}) }))) return { ...result, refused: 'hr_event_unverified' };
  const approvals: Promise<void>[] = [];

  let revokeAfterMs = 0;
  let revokes: Awaited<ReturnType<typeof planning.planMoverRevokes>> = [];
  for (;;) {
    while (changed && !gate.withdrawn) {
      changed = false;
      result.passes += 1;
      const plan = await planning.planMoverGrants({ event: latest, pass: result.passes });
      revokeAfterMs = plan.revokeOldAccessAfterMs;
      const step = (system: string): SystemStep => ({ system, ...loginFor(plan, system), employeeId: plan.employeeId, source: plan.source, hrEventId: plan.hrEventId });
      await Promise.all(
        plan.systems.map(async (s) => {
          const acts = steps(`grant: ${s.system}`, s.system);
          if (!s.hasAccount) {
            const created = await gate.run(() => acts.ensureAccount({ ...step(s.system), firstName: plan.firstName, lastName: plan.lastName, active: true }));
            if (!created) return;
            result.created.push(created);
          }
          for (const grant of s.grants.filter((g) => !g.approvalRequired)) {
            const granted = await gate.run(() => acts.grantEntitlement({ ...step(s.system), grant }));
            if (!granted) return;
            result.granted.push(granted);
          }
        }),
      );
      plan.systems.forEach((s) =>
        s.grants.forEach((grant, index) => {
          if (!grant.approvalRequired) return;
          const request = { ...step(s.system), grant, approvalId: approvalIdFor(plan, s.system, index), worker: plan.worker, hrEvent: plan.hrEvent };
          approvals.push(runApproval(book, request, result, { cancelled, gate }));
        }),
      );
      if (revokeAfterMs > 0) await condition(() => changed || gate.withdrawn !== undefined, revokeAfterMs, { summary: 'grace period before old access is revoked' });
    }
    if (gate.withdrawn) {
      await Promise.all(approvals);
      await condition(allHandlersFinished);
      const w = gate.withdrawn;
      await planning.recordJoinerMilestone({
        action: 'mover.withdrawn',
        plan: { employeeId: latest.employeeId, source: latest.source, hrEventId: latest.eventId },
        detail: { reason: w.reason, byHrEvent: w.hrEventId, passes: result.passes },
      });
      return { ...result, withdrawn: 'worker_left' };
    }
    revokes = await planning.planMoverRevokes({ worker: latest.worker, previous: input.previous });
    for (const r of revokes) {
      const revoked = await gate.run(() =>
        steps(`revoke: ${r.system}`, r.system).revokeEntitlement({
          system: r.system,
          // Revokes planned before systems could match by an HR field carry no identity: the work email.
          ...(r.identity ?? { login: latest.worker.workEmail?.toLowerCase() }),
          employeeId: latest.employeeId,
          source: latest.source,
          hrEventId: latest.eventId,
          entitlement: r.entitlement,
          previousRules: r.previousRules,
        }),
      );
      if (revoked) result.revoked.push(revoked);
    }
    await Promise.all(approvals);
    // A change that came after the grace period (while revoking or waiting for approvals) gets a
    // pass of its own; a withdrawal meanwhile ends it as withdrawn.
    if (!changed && !gate.withdrawn) break;
  }
  await planning.recordJoinerMilestone({
    action: 'mover.completed',
    plan: { employeeId: latest.employeeId, source: latest.source, hrEventId: latest.eventId },
    detail: { passes: result.passes, revoked: revokes.map((r) => `${r.system}:${r.entitlement}`) },
  });
  return result;
}
