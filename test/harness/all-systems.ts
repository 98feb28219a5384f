/**
 * Every kind of system the engine speaks, each as its local peer, for end-to-end tests and
 * benchmarks: built from the connector catalog, so a new connector joins by exporting
 * `enginePair` from its pairs module.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectorCatalog } from '../../src/connectors/catalog';
import type { ConnectorDescriptor } from '../../src/connectors/descriptor';
import type { EnginePair, EnginePairOptions } from './pairs/pair';

export interface SystemPeer {
  /** The system's id in the engine's config (its type). */
  id: string;
  type: string;
  pair: EnginePair;
  killsSessions: boolean;
}

export interface AllSystems {
  systems: SystemPeer[];
  /** jml.config.yaml `systems:` block pointing at every peer. */
  systemsYaml: string;
  secrets: Record<string, string>;
  /** An active account with live sessions in every system, holding `groups` (entitlements of each system's kind). */
  seedWorker(login: string, groups: string[]): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function startAllSystems(options: EnginePairOptions = {}): Promise<AllSystems> {
  const systems: SystemPeer[] = [];
  try {
    for (const descriptor of connectorCatalog as readonly ConnectorDescriptor[]) {
      const module = (await import(resolve(root, descriptor.contractPeer))) as { enginePair?: (o: EnginePairOptions) => Promise<EnginePair> };
      if (!module.enginePair) throw new Error(`${descriptor.contractPeer} exports no enginePair`);
      const pair = await module.enginePair(options);
      systems.push({ id: descriptor.type, type: descriptor.type, pair, killsSessions: descriptor.abilities.includes('killSessions') });
    }
  } catch (err) {
    await Promise.all(systems.map((s) => s.pair.close()));
    throw err;
  }
  const configured = systems.map((s) => s.pair.system(s.id));
  const seeded = new Set<string>();
  return {
    systems,
    systemsYaml: ['systems:', ...configured.map((c) => `  - ${JSON.stringify(c.entry)}`)].join('\n'),
    secrets: Object.assign({}, ...configured.map((c) => c.secrets)) as Record<string, string>,
    seedWorker(login, groups) {
      for (const s of systems) {
        for (const g of groups.filter((g) => !seeded.has(`${s.id}:${g}`))) {
          s.pair.seedGroup(g);
          // A colleague stays in every group (Slack cannot empty a user group, and nor do real ones empty).
          s.pair.seedAccount(`keeper.${g}@acme.test`, { groups: [g] });
          seeded.add(`${s.id}:${g}`);
        }
        s.pair.seedAccount(login, { groups, sessions: 2 });
      }
    },
    setLatency(ms) {
      for (const s of systems) s.pair.setLatency(ms);
    },
    async close() {
      await Promise.all(systems.map((s) => s.pair.close()));
    },
  };
}
