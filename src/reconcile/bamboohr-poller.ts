import { BambooHrClientError, type BambooHrClient } from '../hris/bamboohr/client';
import type { HrEvent } from '../hris/hr-event';
import { bambooPollEvent } from './bamboohr-poll';
import type { HrisPoller } from './poller';

/**
 * BambooHR's half of reconciliation: `GET /v1/employees/changed?since=` for the window, then
 * each changed employee's record, compared with what the engine knows of them. An employee
 * deleted meanwhile is skipped (nothing to reconcile to).
 */
export function bambooHrPoller(client: Pick<BambooHrClient, 'changedSince' | 'getEmployee'>): HrisPoller {
  return async (window, context) => {
    const changed = await client.changedSince(window.from);
    const events: HrEvent[] = [];
    for (const entry of changed.employees) {
      // Deleted: nothing to reconcile to. Too recent: left to its webhook; the next poll covers it.
      if (entry.action === 'Deleted' || Date.parse(entry.lastChanged) > window.through.getTime()) continue;
      context.heartbeat();
      let record;
      try {
        record = await client.getEmployee(entry.employeeId);
      } catch (err) {
        if (err instanceof BambooHrClientError && err.code === 'bamboohr_not_found') continue;
        throw err;
      }
      const event = bambooPollEvent({
        employeeId: entry.employeeId,
        record,
        lastChanged: entry.lastChanged,
        known: await context.known(entry.employeeId),
        receivedAt: context.receivedAt,
      });
      if (event) events.push(event);
    }
    return events;
  };
}
