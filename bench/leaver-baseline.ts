/** The baseline: the same look-up and kill HTTP calls the engine makes, made directly and in parallel. */
import { OktaConnector } from '../src/connectors/okta/connector';
import { ScimConnector } from '../src/connectors/scim/connector';
import type { Connector } from '../src/connectors/types';
import { oktaToken, scimToken, type Targets } from '../test/harness/targets';
import type { Context, Sample } from './leaver-sample';

/** The engine's own connectors, built exactly as the engine's registry builds them for this configuration. */
export function directConnectors(targets: Targets): Context['direct'] {
  return {
    okta: new OktaConnector({ id: 'okta', baseUrl: targets.okta.url, token: oktaToken }),
    scim: new ScimConnector({ id: 'aws', baseUrl: targets.scim.url, token: scimToken }),
  };
}

/** One baseline leaver: the same look-up and kill calls, made directly with the engine's own connectors. */
export async function baselineLeaver(ctx: Context): Promise<Sample> {
  const { employeeId, login } = ctx.nextId();
  ctx.targets.seedWorker(login);
  const killed = ctx.watch.watch(login);
  killed.catch(() => undefined);
  const killIn = async (connector: Connector) => {
    const account = await connector.findAccount(login);
    if (!account) throw new Error(`${connector.id}: no account for ${login}`);
    await connector.killSessions!(account.id);
  };
  const startAt = Date.now();
  await Promise.all([killIn(ctx.direct.okta), killIn(ctx.direct.scim)]);
  const returnedAt = Date.now();
  return { employeeId, login, startAt, killed: await killed, returnedAt };
}
