/** One worker through the engine (from the webhook POST) and one directly (the baseline), as a scenario defines them. */
import { postBambooWebhook } from '../../test/harness/bamboohr';
import type { Context, Sample, Scenario } from './scenario';

type Any = Scenario<unknown, string, unknown, string, object>;

/** POST the delivery, wait for the awaited state, then for the child workflow's end (so the next worker starts on a quiet engine). */
export async function engineRun(scenario: Any, ctx: Context): Promise<Sample> {
  const worker = ctx.nextId();
  scenario.prepare?.(ctx, worker);
  const seen = scenario.watch(ctx, worker);
  const startAt = Date.now();
  const res = await postBambooWebhook(ctx.engine.url, scenario.delivery(worker));
  const returnedAt = Date.now();
  if (res.status !== 202) throw new Error(`webhook for ${worker.employeeId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const ids = (res.body.events as { workflowIds?: string[] }[] | undefined)?.[0]?.workflowIds ?? [];
  const workflowId = ids.find((id) => id.startsWith(scenario.workflowPrefix));
  const employeeWorkflowId = ids.find((id) => id.startsWith('employee-'));
  if (!workflowId || !employeeWorkflowId) throw new Error(`webhook for ${worker.employeeId} named no ${scenario.workflowPrefix} workflow: ${JSON.stringify(res.body)}`);
  const at = await seen;
  await ctx.engine.client.workflow.getHandle(workflowId).result();
  ctx.measured.push(worker);
  return { ...worker, startAt, seen: at, returnedAt, employeeWorkflowId, workflowId };
}

/** The same effect made directly with the engine's own connectors. */
export async function baselineRun(scenario: Any, ctx: Context): Promise<Sample> {
  const worker = ctx.nextId();
  scenario.prepare?.(ctx, worker);
  const seen = scenario.watch(ctx, worker);
  const startAt = Date.now();
  await scenario.baseline(ctx, worker);
  const returnedAt = Date.now();
  const at = await seen;
  ctx.measured.push(worker);
  return { ...worker, startAt, seen: at, returnedAt };
}
