/** The measured path: one leaver through the engine, from the termination webhook POST. */
import { postBambooWebhook, terminationDelivery } from '../test/harness/bamboohr';
import { watchKill } from './kill-watch';
import type { Context, Sample } from './leaver-sample';

/** One leaver through the engine: POST the termination, wait for the kill, then for the workflow's end. */
export async function engineLeaver(ctx: Context): Promise<Sample> {
  const { employeeId, login } = ctx.nextId();
  ctx.targets.seedWorker(login);
  const killed = watchKill(ctx.watch, ctx.targets, login);
  const startAt = Date.now();
  const res = await postBambooWebhook(ctx.engine.url, terminationDelivery(employeeId, login, ctx.terminationDate));
  const returnedAt = Date.now();
  if (res.status !== 202) throw new Error(`webhook for ${employeeId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const ids = (res.body.events as { workflowIds?: string[] }[] | undefined)?.[0]?.workflowIds ?? [];
  const leaverWorkflowId = ids.find((id) => id.startsWith('leaver-'));
  const employeeWorkflowId = ids.find((id) => id.startsWith('employee-'));
  if (!leaverWorkflowId || !employeeWorkflowId) throw new Error(`webhook for ${employeeId} named no leaver workflow: ${JSON.stringify(res.body)}`);
  const k = await killed;
  // The leaver goes on to disable accounts and revoke entitlements; let it finish so the next
  // leaver starts on a quiet engine (concurrency 1 means one leaver in the engine at a time).
  await ctx.engine.client.workflow.getHandle(leaverWorkflowId).result();
  return { employeeId, login, startAt, killed: k, returnedAt, employeeWorkflowId, leaverWorkflowId };
}
