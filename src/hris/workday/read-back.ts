import type { HrEvent } from '../hr-event';
import type { WorkdayClient } from './client';
import { normalizeWorkdayChange, processKind, type WorkdayHrFields, type WorkdayProcessMap } from './normalize';
import { effectiveDateOf, type WorkdayNotification } from './notification';
import type { WorkdayWorker } from './worker';

/**
 * A notification is only a hint: the worker is read back from Workday (Get_Workers, as of the
 * effective date, with the worker's transaction log) and the event is built from Workday's own
 * record, including whether the transaction was rescinded or corrected meanwhile.
 *
 * It is acted on only when Workday confirms it:
 *  - the worker's transaction log holds an entry with the notification's WID, and that entry's
 *    business process type stands for the same lifecycle kind as the notification's (a
 *    "Terminate Employee" notification for a Hire Employee entry is not confirmed); the event
 *    then takes the type Workday logged;
 *  - or, when Workday sent no transaction log at all (the integration user may not see it), the
 *    worker's status agrees: terminated (or a termination date on record) for a termination,
 *    active or hired for a hire, active for a change.
 * Anything else throws WorkdayUnconfirmed: nothing is stored or started.
 *
 * undefined: Workday knows no such worker, or the process is none the engine acts on.
 */
export type UnconfirmedReason = 'transaction_not_in_log' | 'process_type_differs' | 'status_disagrees';

export class WorkdayUnconfirmed extends Error {
  override readonly name = 'WorkdayUnconfirmed';
  readonly code = 'unconfirmed';
  readonly retryable = false;
  constructor(
    readonly why: UnconfirmedReason,
    readonly notification: Pick<WorkdayNotification, 'workerId' | 'businessProcessType' | 'transactionLogWid'>,
    /** The process type Workday logged under that WID, when it differs. */
    readonly loggedType?: string,
  ) {
    super(
      {
        transaction_not_in_log: `Workday's transaction log for worker ${notification.workerId} has no transaction ${notification.transactionLogWid}`,
        process_type_differs: `Workday logged transaction ${notification.transactionLogWid} of worker ${notification.workerId} as "${loggedType ?? ''}", not as "${notification.businessProcessType}"`,
        status_disagrees: `worker ${notification.workerId}'s status in Workday does not agree with "${notification.businessProcessType}"`,
      }[why],
    );
  }
}

/** `hrFields`: identity.hrFields' Workday Custom ID types (workdayHrFields), carried in worker.hrFields. */
export function workdayReadBack(client: Pick<WorkdayClient, 'getWorker'>, kinds: WorkdayProcessMap, hrFields: WorkdayHrFields = []) {
  return async (n: WorkdayNotification, context: { receivedAt: string; sourceIp?: string }): Promise<HrEvent | undefined> => {
    const claimed = processKind(n.businessProcessType, kinds);
    if (!claimed) return undefined;
    const worker = await client.getWorker(n.workerId, { effective: effectiveDateOf(n.effectiveMoment) });
    if (!worker) return undefined;
    const businessProcessType = confirmedType(worker, n, claimed, kinds);
    return normalizeWorkdayChange({
      worker,
      businessProcessType,
      effectiveMoment: n.effectiveMoment,
      transactionLogWid: n.transactionLogWid,
      receivedAt: context.receivedAt,
      via: 'webhook',
      ...(context.sourceIp ? { sourceIp: context.sourceIp } : {}),
      kinds,
      ...(hrFields.length > 0 ? { hrFields } : {}),
    });
  };
}

/** The business process type Workday confirms for the notification, or throws WorkdayUnconfirmed. */
function confirmedType(worker: WorkdayWorker, n: WorkdayNotification, claimed: keyof WorkdayProcessMap, kinds: WorkdayProcessMap): string {
  const wid = n.transactionLogWid.toLowerCase();
  if (worker.transactionLogIncluded !== false) {
    const entry = worker.transactions.find((t) => t.wid.toLowerCase() === wid);
    if (!entry) throw new WorkdayUnconfirmed('transaction_not_in_log', n);
    if (family(processKind(entry.type, kinds)) !== family(claimed)) throw new WorkdayUnconfirmed('process_type_differs', n, entry.type);
    return entry.type;
  }
  if (!statusAgrees(worker, claimed)) throw new WorkdayUnconfirmed('status_disagrees', n);
  return n.businessProcessType;
}

/** A hire and a rehire are one family: Workday rehires through the hire process. */
const family = (kind: keyof WorkdayProcessMap | undefined) => (kind === 'rehire' ? 'hire' : kind);

function statusAgrees(worker: WorkdayWorker, claimed: keyof WorkdayProcessMap): boolean {
  switch (claimed) {
    case 'terminate':
      // A termination dated ahead leaves the worker active until then, with the date on record.
      return !worker.active || (worker.terminationDate !== undefined && (worker.hireDate === undefined || worker.terminationDate >= worker.hireDate));
    case 'hire':
    case 'rehire':
    case 'change':
      return worker.active;
    case 'rescind':
      // A rescind is only ever known from the log entry's own flag.
      return false;
  }
}
