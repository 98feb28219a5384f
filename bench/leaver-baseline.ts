/** The baseline: the same look-up and kill HTTP calls the engine makes, made directly and in parallel. */
import type { Connector } from '../src/connectors/types';
import { watchKill } from './kill-watch';
import type { Context, Sample } from './leaver-sample';

/** One baseline leaver: the same look-up and kill calls, made directly with the engine's own connectors. */
export async function baselineLeaver(ctx: Context): Promise<Sample> {
  const { employeeId, login } = ctx.nextId();
  ctx.targets.seedWorker(login);
  const killed = watchKill(ctx.watch, ctx.targets, login);
  const killIn = async (connector: Connector) => {
    const account = await connector.findAccount(login);
    if (!account) throw new Error(`${connector.id}: no account for ${login}`);
    // The leaver's first step in each system: the session kill where there is one, else the disable.
    await (connector.killSessions ? connector.killSessions(account.id) : connector.disableAccount(account.id));
  };
  const startAt = Date.now();
  await Promise.all([killIn(ctx.direct.okta), killIn(ctx.direct.scim)]);
  const returnedAt = Date.now();
  return { employeeId, login, startAt, killed: await killed, returnedAt };
}
