/**
 * Every kind of system the engine speaks. The registry, the `systems[]` config schema, the
 * start-up checks and the contract test are all built from this list: a new connector is its
 * folder and its entry here.
 */
import type { z } from 'zod';
import type { ConnectorDescriptor } from './descriptor';
import { githubConnector } from './github';
import { googleWorkspaceConnector } from './google-workspace';
import { microsoftGraphConnector } from './microsoft-graph';
import { oktaConnector } from './okta';
import { scimConnector } from './scim';
import { slackAdminConnector } from './slack-admin';

export const connectorCatalog = [oktaConnector, scimConnector, googleWorkspaceConnector, microsoftGraphConnector, slackAdminConnector, githubConnector] as const;

/** One `systems[]` entry of jml.config.yaml, of any type. */
export type SystemConfig = z.output<(typeof connectorCatalog)[number]['configSchema']>;

export type SystemType = SystemConfig['type'];

export function descriptorOf(type: string): ConnectorDescriptor | undefined {
  return (connectorCatalog as readonly ConnectorDescriptor[]).find((d) => d.type === type);
}
