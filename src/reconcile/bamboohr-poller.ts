import type { HrFieldsConfig } from '../config/file';
import { BambooHrClientError, type BambooHrClient } from '../hris/bamboohr/client';
import { bambooHrFields } from '../hris/bamboohr/hr-fields';
import { employeeRecordFieldsWith } from '../hris/bamboohr/normalize';
import type { HrEvent } from '../hris/hr-event';
import { bambooPollEvent } from './bamboohr-poll';
import type { HrisPoller } from './poller';

/**
 * BambooHR's half of reconciliation: `GET /v1/employees/changed?since=` for the window, then
 * each changed employee's record, compared with what the engine knows of them. An employee
 * deleted meanwhile is skipped (nothing to reconcile to). The record is asked for the HR fields
 * declared in identity.hrFields too, so the events carry them.
 */
export function bambooHrPoller(
  client: Pick<BambooHrClient, 'changedSince' | 'getEmployee'>,
  options: { concurrency?: number; hrFields?: HrFieldsConfig } = {},
): HrisPoller {
  const concurrency = options.concurrency ?? 8;
  const declared = bambooHrFields(options.hrFields);
  const fields = employeeRecordFieldsWith(declared);
  return async (window, context) => {
    const changed = await client.changedSince(window.from);
    // Deleted: nothing to reconcile to. Too recent: left to its webhook; the next poll covers it.
    const due = changed.employees.filter((e) => e.action !== 'Deleted' && Date.parse(e.lastChanged) <= window.through.getTime());
    const eventFor = async (entry: (typeof due)[number]): Promise<HrEvent | undefined> => {
      let record;
      try {
        record = await client.getEmployee(entry.employeeId, fields);
      } catch (err) {
        if (err instanceof BambooHrClientError && err.code === 'bamboohr_not_found') return undefined;
        throw err;
      }
      const known = await context.known(entry.employeeId);
      return bambooPollEvent({
        employeeId: entry.employeeId,
        record,
        lastChanged: entry.lastChanged,
        known,
        receivedAt: context.receivedAt,
        ...(declared.length > 0 ? { hrFields: declared } : {}),
      });
    };
    // A few employees at a time (an outage can leave hundreds changed), kept in lastChanged order.
    const events: HrEvent[] = [];
    for (let i = 0; i < due.length; i += concurrency) {
      context.heartbeat();
      const batch = await Promise.all(due.slice(i, i + concurrency).map(eventFor));
      events.push(...batch.filter((e): e is HrEvent => e !== undefined));
    }
    return events;
  };
}
