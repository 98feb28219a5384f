/** The baselines' client: the engine's own connectors, built exactly as the engine's registry builds them for the bench's systems. */
import { OktaConnector } from '../src/connectors/okta/connector';
import { ScimConnector } from '../src/connectors/scim/connector';
import type { Connector } from '../src/connectors/types';
import { oktaToken, scimToken, type Targets } from '../test/harness/targets';

export interface DirectConnectors {
  okta: Connector;
  scim: Connector;
}

export function directConnectors(targets: Targets): DirectConnectors {
  return {
    okta: new OktaConnector({ id: 'okta', baseUrl: targets.okta.url, token: oktaToken }),
    scim: new ScimConnector({ id: 'aws', baseUrl: targets.scim.url, token: scimToken }),
  };
}
