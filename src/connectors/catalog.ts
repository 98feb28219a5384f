/**
 * Every kind of system the engine speaks. The registry, the `systems[]` config schema, the
 * start-up checks and the contract test are built from this list: a new connector is its folder
 * and one line here.
 */
import type { z } from 'zod';
import type { ConnectorDescriptor } from './descriptor';
import { githubConnector } from './github';
import { oktaConnector } from './okta';
import { scimConnector } from './scim';

export const connectorCatalog = [oktaConnector, scimConnector, githubConnector] as const;

/** One `systems[]` entry of jml.config.yaml, of any type. */
export type SystemConfig = z.output<(typeof connectorCatalog)[number]['configSchema']>;

export type SystemType = SystemConfig['type'];

export function descriptorOf(type: string): ConnectorDescriptor | undefined {
  return (connectorCatalog as readonly ConnectorDescriptor[]).find((d) => d.type === type);
}
