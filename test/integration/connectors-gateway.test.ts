/**
 * A connector pointed at something that is not its system (a wrong base URL, a gateway answering
 * 404 or an HTML page to everything, a revoked token) must see an outage: checkAccess fails,
 * findAccount never answers "nobody", and no operation succeeds or claims "not found".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimProfileName } from '../../src/connectors/scim/profiles/names';
import { ConnectorError } from '../../src/connectors/errors';
import { OktaConnector } from '../../src/connectors/okta/connector';
import { requireAbility } from '../../src/connectors/registry';
import { ScimConnector } from '../../src/connectors/scim/connector';
import type { Connector } from '../../src/connectors/types';
import { startGatewayPeer, type GatewayAnswer, type GatewayPeer } from '../peers/gateway-peer';

const answers: GatewayAnswer[] = ['not-found-html', 'not-found-json', 'html', 'unauthorized'];
const makers: [string, (url: string) => Connector][] = [
  ['okta', (url) => new OktaConnector({ id: 'okta', baseUrl: url, token: 'okta-token-123' })],
  ...(['rfc7644', 'aws-identity-center', 'entra-id'] as ScimProfileName[]).map(
    (profile): [string, (url: string) => Connector] => [`scim ${profile}`, (url) => new ScimConnector({ id: 'scim', baseUrl: `${url}/scim/v2`, token: 'scim-token-123', profile })],
  ),
];
const cases = answers.flatMap((answer) => makers.map(([name, make]) => [answer, name, make] as const));

describe.each(cases)('a server answering %s, in front of %s', (answer, _name, make) => {
  let gateway: GatewayPeer;
  let connector: Connector;
  const expected = answer === 'unauthorized' ? 'unauthorized' : 'unavailable';

  beforeAll(async () => {
    gateway = await startGatewayPeer(answer);
    connector = make(gateway.url);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const outcome = (promise: Promise<unknown>) => promise.then((value) => ({ resolved: value }), (e: unknown) => e);

  it('fails checkAccess', async () => {
    const error = await outcome(connector.checkAccess());
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: expected });
  });

  it('never answers findAccount with "nobody"', async () => {
    const error = await outcome(connector.findAccount('ann.leaver@acme.test'));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: expected });
    expect((error as Error).message).not.toContain('ann.leaver');
  });

  it('lets no operation on an account succeed, nor call the account "not found"', async () => {
    const ops: [string, () => Promise<unknown>][] = [
      ['disableAccount', () => connector.disableAccount('acct-1')],
      ['enableAccount', () => requireAbility(connector, 'enableAccount')('acct-1')],
      ['listEntitlements', () => connector.listEntitlements('acct-1')],
      ['grantEntitlement', () => connector.grantEntitlement('acct-1', 'group:engineering')],
      ['revokeEntitlement', () => connector.revokeEntitlement('acct-1', 'group:engineering')],
      ...(connector.killSessions ? ([['killSessions', () => requireAbility(connector, 'killSessions')('acct-1')]] as [string, () => Promise<unknown>][]) : []),
    ];
    for (const [name, op] of ops) {
      const error = await outcome(op());
      expect(error, name).toBeInstanceOf(ConnectorError);
      expect(error, name).toMatchObject({ code: expected });
    }
    expect(gateway.requests().length).toBeGreaterThan(0);
  });
});
