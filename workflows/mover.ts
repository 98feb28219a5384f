import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { JoinerActivities } from '../activities/joiner';
import type { MoverActivities } from '../activities/mover';
import type { StepResult, SystemStep } from '../activities/system-step';
import type { HrEvent, WorkerAttributes } from '../src/hris/hr-event';
import { moverChangeSignal } from '../src/temporal/messages';
import { approvalIdFor, runApproval } from './approval-step';
import { ApprovalBook } from './approvals';

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
}

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' } as const;

const planning = proxyActivities<Pick<MoverActivities, 'planMoverGrants' | 'planMoverRevokes'> & Pick<JoinerActivities, 'recordJoinerMilestone'>>({
  startToCloseTimeout: '60s',
  retry,
  summary: 'plan mover / record milestone',
});

function steps(summary: string) {
  return proxyActivities<Pick<JoinerActivities, 'ensureAccount' | 'grantEntitlement'> & Pick<MoverActivities, 'revokeEntitlement'>>({
    startToCloseTimeout: '60s',
    retry,
    summary,
  });
}

/**
 * A worker changes role: what the new attributes give is granted now (with approval where the
 * policy asks); what they no longer give is revoked after `mover.revokeOldAccessAfter`. A
 * further change in that window re-plans from the latest attributes, so nothing the newest role
 * still gives is revoked.
 */
export async function moverWorkflow(input: MoverInput): Promise<MoverResult> {
  let latest = input.event;
  let changed = true;
  setHandler(moverChangeSignal, (event) => {
    latest = event;
    changed = true;
  });
  const book = new ApprovalBook();
  const result: MoverResult = { passes: 0, created: [], granted: [], approvals: [], revoked: [] };
  const approvals: Promise<void>[] = [];

  let revokeAfterMs = 0;
  while (changed) {
    changed = false;
    result.passes += 1;
    const plan = await planning.planMoverGrants({ event: latest, pass: result.passes });
    revokeAfterMs = plan.revokeOldAccessAfterMs;
    const step = (system: string): SystemStep => ({ system, login: plan.login, employeeId: plan.employeeId, source: plan.source, hrEventId: plan.hrEventId });
    await Promise.all(
      plan.systems.map(async (s) => {
        const acts = steps(`grant: ${s.system}`);
        if (!s.hasAccount) result.created.push(await acts.ensureAccount({ ...step(s.system), firstName: plan.firstName, lastName: plan.lastName, active: true }));
        for (const grant of s.grants.filter((g) => !g.approvalRequired)) result.granted.push(await acts.grantEntitlement({ ...step(s.system), grant }));
      }),
    );
    plan.systems.forEach((s) =>
      s.grants.forEach((grant, index) => {
        if (!grant.approvalRequired) return;
        const request = { ...step(s.system), grant, approvalId: approvalIdFor(plan, s.system, index), worker: plan.worker, hrEvent: plan.hrEvent };
        approvals.push(runApproval(book, request, result, { cancelled: () => false, cancelReason: '' }));
      }),
    );
    if (revokeAfterMs > 0) await condition(() => changed, revokeAfterMs, { summary: 'grace period before old access is revoked' });
  }

  const revokes = await planning.planMoverRevokes({ worker: latest.worker, previous: input.previous });
  for (const r of revokes) {
    result.revoked.push(
      await steps(`revoke: ${r.system}`).revokeEntitlement({
        system: r.system,
        login: latest.worker.workEmail?.toLowerCase(),
        employeeId: latest.employeeId,
        source: latest.source,
        hrEventId: latest.eventId,
        entitlement: r.entitlement,
        previousRules: r.previousRules,
      }),
    );
  }
  await Promise.all(approvals);
  await planning.recordJoinerMilestone({
    action: 'mover.completed',
    plan: { employeeId: latest.employeeId, source: latest.source, hrEventId: latest.eventId },
    detail: { passes: result.passes, revoked: revokes.map((r) => `${r.system}:${r.entitlement}`) },
  });
  return result;
}
