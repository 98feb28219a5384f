import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { employeeWorkflowId, type HrEvent, type HrSource } from '../src/hris/hr-event';
import { unstorableField } from '../src/hris/storable-text';
import { acceptEvents } from '../src/intake/accept';
import { createDispatcher } from '../src/intake/dispatch';
import { InboxDispatcher } from '../src/intake/dispatcher';
import type { Inbox } from '../src/intake/inbox';
import type { HrisPollers, KnownWorker } from '../src/reconcile/poller';
import type { WatermarkStore } from '../src/reconcile/watermarks';
import { statusQuery } from '../src/temporal/messages';
import type { ActivityDeps } from './deps';

export interface ReconcileDeps {
  watermarks: Pick<WatermarkStore, 'get' | 'advance'>;
  inbox: Inbox;
  pollers: HrisPollers;
  /** How far back the very first poll of an HRIS looks. */
  firstLookbackMs: number;
  /** Each poll starts this much before the watermark, for changes HR recorded late. */
  overlapMs: number;
  /** Changes younger than this are left to their webhook (`hris.<source>.webhookGrace`); the next poll takes them. */
  webhookGraceMs: Partial<Record<HrSource, number>>;
  eventsPerRun?: number;
}

export interface PollResult {
  source: HrSource;
  from: string;
  through: string;
  found: number;
  accepted: number;
  duplicates: number;
  /** Records refused as unstorable (evidence hr_event.refused). */
  refused: number;
}

export function createReconcileActivities(deps: ActivityDeps) {
  return {
    /**
     * Asks one HRIS what changed since the watermark and feeds it into the same intake as
     * webhooks (inbox, then the worker's workflow). The watermark moves only once everything
     * found is stored, so a failed poll is retried from the same point.
     */
    async pollHris(input: { source: HrSource }): Promise<PollResult> {
      const r = deps.reconcile;
      const poller = r?.pollers[input.source];
      if (!r || !poller) {
        throw ApplicationFailure.create({ type: 'not_configured', message: `reconciliation for ${input.source} is not configured on this worker`, nonRetryable: true });
      }
      const context = Context.current();
      const client = context.client;
      const now = deps.now?.() ?? new Date();
      const through = new Date(now.getTime() - (r.webhookGraceMs[input.source] ?? 0));
      const mark = await r.watermarks.get(input.source);
      const from = new Date(mark ? Date.parse(mark.watermark) - r.overlapMs : through.getTime() - r.firstLookbackMs);
      const known = async (employeeId: string): Promise<KnownWorker | undefined> => {
        try {
          return await client.workflow.getHandle(employeeWorkflowId(input.source, employeeId)).query(statusQuery);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        }
      };
      const found = await poller({ from, through }, { known, receivedAt: now.toISOString(), heartbeat: () => context.heartbeat() });
      // A record with text Postgres cannot store would fail the whole poll, every time, and hold
      // the watermark back for good: it is recorded as refused (which field, why; never the
      // value) and the poll moves on. Its event ID is the record's, so a repeat records nothing new.
      const events: HrEvent[] = [];
      for (const event of found) {
        const poison = unstorableField(event);
        if (!poison) {
          events.push(event);
          continue;
        }
        await deps.evidence.append({
          stepKey: `hr_event.refused:${event.eventId}`,
          employeeId: event.employeeId,
          hrSource: event.source,
          actorType: 'engine',
          actorId: 'jml-engine',
          action: 'hr_event.refused',
          occurredAt: now.toISOString(),
          outcome: 'failure',
          context: { hrEventId: event.eventId, kind: event.kind, via: 'poll', field: poison.path, reason: poison.reason },
        });
        deps.log.warn({ source: input.source, employeeId: event.employeeId, field: poison.path }, 'reconciliation refused a record it cannot store; recorded as hr_event.refused');
      }
      const delivered = await acceptEvents({ inbox: r.inbox, handOver: () => undefined, log: deps.log }, events, { deliveryId: `poll:${input.source}:${now.toISOString()}` });
      await r.watermarks.advance(input.source, through, found.length);
      // Temporal is up (this runs in a worker), so the found events are handed over here and now,
      // through the same ordered claims as the API's dispatcher: a worker's events still wait
      // behind an older one of theirs that is not handed over yet (the API's dispatcher has it).
      const dispatch = createDispatcher(client, context.info.taskQueue, { eventsPerRun: r.eventsPerRun });
      await new InboxDispatcher({ inbox: r.inbox, dispatch, log: deps.log, lanes: 8, maxBackoffMs: 5_000 }).drainDue();
      const duplicates = delivered.filter((d) => d.duplicate).length;
      if (found.length > 0) deps.log.info({ source: input.source, found: found.length, duplicates, refused: found.length - events.length }, 'reconciliation found changes');
      return {
        source: input.source,
        from: from.toISOString(),
        through: through.toISOString(),
        found: found.length,
        accepted: delivered.length - duplicates,
        duplicates,
        refused: found.length - events.length,
      };
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
