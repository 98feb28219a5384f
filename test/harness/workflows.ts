import { mkdir, writeFile } from 'node:fs/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/**
 * The result of a workflow that another workflow starts a moment later (a child): waits for it
 * to exist, then for its result.
 */
export async function resultOf<T>(client: Client, workflowId: string, existWithinMs = 15_000): Promise<T> {
  await waitForWorkflow(client, workflowId, existWithinMs);
  return (await client.workflow.getHandle(workflowId).result()) as T;
}

/** Waits until a workflow that is about to be started exists. */
export async function waitForWorkflow(client: Client, workflowId: string, existWithinMs = 15_000): Promise<void> {
  const deadline = Date.now() + existWithinMs;
  for (;;) {
    try {
      await client.workflow.getHandle(workflowId).describe();
      break;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Keeps a real history for the replay tests (test/replay) when UPDATE_HISTORIES=1. */
export async function recordHistory(client: Client, name: string, workflowId: string, runId?: string): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  await mkdir('test/replay/histories', { recursive: true });
  // Protobuf's own JSON form (bytes as base64); the replay test reads it back with fromObject.
  await writeFile(`test/replay/histories/${name}.json`, JSON.stringify(history, null, 1) + '\n');
}

// Workflow IDs derive from employee IDs, and every test file shares one Temporal server, so
// each file uses its own employee ID range: e2e 5xx, leaver 6xx, joiner 7xx, approvals 8xx,
// encryption 90x, mover 91x, entity 92x, joiner start 93x, lifecycle e2e 96x, employee view and
// preview 95x, Slack approvals 97x, Slack notifications 98x.
