import type { HrEvent } from '../hr-event';
import type { WorkdayClient } from './client';
import { normalizeWorkdayChange, type WorkdayProcessMap } from './normalize';
import { effectiveDateOf, type WorkdayNotification } from './notification';

/**
 * A notification is only a hint: the worker is read back from Workday (Get_Workers, as of the
 * effective date) and the event built from Workday's own record, including whether the
 * transaction was rescinded or corrected meanwhile. undefined: unknown worker or a process the
 * engine does not act on.
 */
export function workdayReadBack(client: Pick<WorkdayClient, 'getWorker'>, kinds: WorkdayProcessMap) {
  return async (n: WorkdayNotification, context: { receivedAt: string; sourceIp?: string }): Promise<HrEvent | undefined> => {
    const worker = await client.getWorker(n.workerId, { effective: effectiveDateOf(n.effectiveMoment) });
    if (!worker) return undefined;
    return normalizeWorkdayChange({
      worker,
      businessProcessType: n.businessProcessType,
      effectiveMoment: n.effectiveMoment,
      transactionLogWid: n.transactionLogWid,
      receivedAt: context.receivedAt,
      via: 'webhook',
      ...(context.sourceIp ? { sourceIp: context.sourceIp } : {}),
      kinds,
    });
  };
}
