import type { BambooHrClient } from './bamboohr/client';
import { BambooHrClientError } from './bamboohr/client';
import type { HrSource } from './hr-event';
import type { WorkdayClient } from './workday/client';

/**
 * Look-ups in the HRIS a worker came from, e.g. their manager's work email (to find the manager
 * in Slack). An HRIS that is not configured, or a person it does not know, answers undefined;
 * an HRIS that is down throws, so the calling activity retries.
 */
export interface HrDirectory {
  workEmailOf(source: HrSource, employeeId: string): Promise<string | undefined>;
}

export function createHrDirectory(clients: { bamboohr?: Pick<BambooHrClient, 'getEmployee'>; workday?: Pick<WorkdayClient, 'getWorker'> }): HrDirectory {
  return {
    async workEmailOf(source, employeeId) {
      if (source === 'workday') {
        const worker = clients.workday ? await clients.workday.getWorker(employeeId) : undefined;
        return worker?.workEmail?.trim().toLowerCase() || undefined;
      }
      if (!clients.bamboohr) return undefined;
      try {
        const fields = await clients.bamboohr.getEmployee(employeeId, ['workEmail']);
        const email = fields.workEmail?.trim();
        return email ? email.toLowerCase() : undefined;
      } catch (err) {
        if (err instanceof BambooHrClientError && err.code === 'bamboohr_not_found') return undefined;
        throw err;
      }
    },
  };
}
