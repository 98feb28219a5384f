/** The measured path: one joiner through the engine, from the hire webhook POST. */
import { postBambooWebhook } from '../test/harness/bamboohr';
import { hireDelivery, watchGranted, type Context, type Sample } from './joiner-sample';

/** One joiner through the engine: POST the hire, wait until both systems show the grants, then for the workflow's end. */
export async function engineJoiner(ctx: Context): Promise<Sample> {
  const { employeeId, login } = ctx.nextId();
  const granted = watchGranted(ctx, login);
  const startAt = Date.now();
  const res = await postBambooWebhook(ctx.engine.url, hireDelivery(employeeId, login));
  const returnedAt = Date.now();
  if (res.status !== 202) throw new Error(`webhook for ${employeeId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const ids = (res.body.events as { workflowIds?: string[] }[] | undefined)?.[0]?.workflowIds ?? [];
  const joinerWorkflowId = ids.find((id) => id.startsWith('joiner-'));
  const employeeWorkflowId = ids.find((id) => id.startsWith('employee-'));
  if (!joinerWorkflowId || !employeeWorkflowId) throw new Error(`webhook for ${employeeId} named no joiner workflow: ${JSON.stringify(res.body)}`);
  const seen = await granted;
  // The joiner goes on to record its milestones; let it finish so the next joiner starts on a
  // quiet engine (concurrency 1 means one joiner in the engine at a time).
  await ctx.engine.client.workflow.getHandle(joinerWorkflowId).result();
  ctx.inGroups.push(login);
  return { employeeId, login, startAt, granted: seen, returnedAt, employeeWorkflowId, joinerWorkflowId };
}
