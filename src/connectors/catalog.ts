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

/** System ID -> the HR field its accounts are matched by, for the systems configured to match by one. */
export function matchByFields(systems: readonly SystemConfig[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const system of systems) {
    const field = (descriptorOf(system.type) as ConnectorDescriptor<z.ZodObject> | undefined)?.matchBy?.(system as never);
    if (field !== undefined) out[system.id] = field;
  }
  return out;
}
