import type { WorkdayClient } from '../hris/workday/client';
import { changedWorkerEvents, type WorkdayHrFields, type WorkdayProcessMap } from '../hris/workday/normalize';
import type { HrEvent } from '../hris/hr-event';
import type { HrisPoller } from './poller';

/**
 * Workday's half of reconciliation: Get_Workers with Transaction_Log_Criteria_Data for the
 * window, page by page, one event per business process transaction entered in it. Event IDs
 * are the transactions' own (`workday:<wid>`), so a transaction a webhook already delivered is
 * a duplicate the inbox absorbs. The workers' Custom IDs of identity.hrFields' types ride along
 * in worker.hrFields.
 */
export function workdayPoller(client: Pick<WorkdayClient, 'changedWorkers'>, kinds: WorkdayProcessMap, hrFields: WorkdayHrFields = []): HrisPoller {
  return async (window, context) => {
    const range = { from: window.from.toISOString(), through: window.through.toISOString() };
    const events: HrEvent[] = [];
    for (let page = 1, pages = 1; page <= pages; page += 1) {
      const result = await client.changedWorkers(range, page);
      pages = result.totalPages;
      for (const worker of result.workers) events.push(...changedWorkerEvents(worker, { receivedAt: context.receivedAt, kinds, via: 'poll', window: range, ...(hrFields.length > 0 ? { hrFields } : {}) }));
      context.heartbeat();
    }
    return events;
  };
}
