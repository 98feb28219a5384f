/** The baseline: create the account and grant the group in each system, directly and in parallel. */
import type { Connector } from '../src/connectors/types';
import { groups, watchGranted, type Context, type Sample } from './joiner-sample';

/**
 * One baseline joiner with the engine's own connectors: createAccount (active, as for a worker
 * who has started) then grantEntitlement, Okta alongside SCIM. The connectors keep group IDs
 * once looked up, as the engine's do, so after the warm-up each chain is two requests.
 */
export async function baselineJoiner(ctx: Context): Promise<Sample> {
  const { employeeId, login } = ctx.nextId();
  const granted = watchGranted(ctx, login);
  const provisionIn = async (connector: Connector, group: string) => {
    const account = await connector.createAccount!({ login, email: login, firstName: 'Bench', lastName: `Joiner${employeeId}`, active: true });
    await connector.grantEntitlement(account.id, `group:${group}`);
  };
  const startAt = Date.now();
  await Promise.all([provisionIn(ctx.direct.okta, groups.okta), provisionIn(ctx.direct.scim, groups.scim)]);
  const returnedAt = Date.now();
  const seen = await granted;
  ctx.inGroups.push(login);
  return { employeeId, login, startAt, granted: seen, returnedAt };
}
