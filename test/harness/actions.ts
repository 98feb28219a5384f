import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
// The package is CommonJS: a default import reaches its values from native ESM (the benches) as from vitest.
import proto from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = proto.temporal.api.enums.v1.EventType;

/** Temporal Cloud Actions of one workflow run, by kind, as Temporal documents their counting. */
export interface ActionCount {
  total: number;
  byKind: Record<string, number>;
}

/**
 * Counts the billable Actions a run's history shows (docs.temporal.io/cloud/actions): a start
 * (a signal-with-start is one in all), each child start (two), timer, search-attribute upsert,
 * signal (counted where it was sent), activity attempt, accepted update, and the markers
 * (local activities, patches) of one workflow task together as one. Queries and rejected
 * updates leave no trace in a history and are not counted.
 */
export function countActions(events: readonly HistoryEvent[]): ActionCount {
  const byKind: Record<string, number> = {};
  const add = (kind: string, n = 1) => void (byKind[kind] = (byKind[kind] ?? 0) + n);
  const markerTasks = new Set<string>();
  events.forEach((e, i) => {
    switch (e.eventType) {
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        // A child's start is counted where its parent initiated it.
        if (!e.workflowExecutionStartedEventAttributes?.parentWorkflowExecution) add('workflow started');
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const fromWorkflow = !!e.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution;
        const withStart = i === 1 && events[0]?.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED;
        if (!fromWorkflow && !withStart) add('signal received from a client');
        break;
      }
      case T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('signal sent by the workflow');
        break;
      case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('child workflow', 2);
        break;
      case T.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (fields.some((f) => f !== 'TemporalChangeVersion')) add('search attributes upserted');
        break;
      }
      case T.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activity attempt', Math.max(1, e.activityTaskStartedEventAttributes?.attempt ?? 1));
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case T.EVENT_TYPE_MARKER_RECORDED: {
        const task = String(e.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? '');
        if (!markerTasks.has(task)) {
          markerTasks.add(task);
          add('markers (local activities, patches) of a workflow task');
        }
        break;
      }
      default:
        break;
    }
  });
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}

/** The Actions of several workflows' current runs, added up. */
export async function actionsOf(client: Client, workflowIds: readonly string[]): Promise<ActionCount & { perWorkflow: Record<string, ActionCount> }> {
  const perWorkflow: Record<string, ActionCount> = {};
  const byKind: Record<string, number> = {};
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const count = countActions(history.events ?? []);
    perWorkflow[id] = count;
    for (const [kind, n] of Object.entries(count.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
  }
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind, perWorkflow };
}
