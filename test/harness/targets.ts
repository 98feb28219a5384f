import { startOktaPeer, type OktaPeer } from '../peers/okta-peer';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

export const oktaToken = 'okta-api-token-for-tests';
export const scimToken = 'scim-bearer-token-for-tests';

/** The two target systems a test engine talks to: an Okta API peer and a real SCIM server. */
export interface Targets {
  okta: OktaPeer;
  scim: ScimPeer;
  /** jml.config.yaml `systems:` block pointing at the peers. */
  systemsYaml: string;
  secrets: Record<string, string>;
  /** A worker with an active account, groups and live sessions in both systems. */
  seedWorker(login: string, groups?: string[]): void;
  /** Groups that exist in both systems, nobody in them yet. */
  seedGroups(names: string[]): void;
  setLatency(ms: number): void;
  writeCount(): number;
  close(): Promise<void>;
}

/** The engine's secrets for the two peers. */
export const targetSecrets: Readonly<Record<string, string>> = { OKTA_TOKEN: oktaToken, AWS_SCIM_TOKEN: scimToken };

/** jml.config.yaml `systems:` block for an Okta peer and a SCIM server at these URLs. */
export function systemsYamlFor(oktaUrl: string, scimUrl: string): string {
  return [
    'systems:',
    `  - { id: okta, type: okta, baseUrl: "${oktaUrl}", tokenEnv: OKTA_TOKEN }`,
    `  - { id: aws, type: scim, baseUrl: "${scimUrl}", tokenEnv: AWS_SCIM_TOKEN }`,
  ].join('\n');
}

export async function startTargets(options: { latencyMs?: number } = {}): Promise<Targets> {
  const okta = await startOktaPeer({ token: oktaToken, latencyMs: options.latencyMs });
  const scim = await startScimPeer({ token: scimToken, latencyMs: options.latencyMs });
  const groups = new Set<string>();
  const ensureGroups = (names: string[]) => {
    for (const name of names.filter((n) => !groups.has(n))) {
      okta.seedGroup({ name });
      scim.seedGroup({ displayName: name });
      groups.add(name);
    }
  };
  return {
    okta,
    scim,
    systemsYaml: systemsYamlFor(okta.url, scim.url),
    secrets: { ...targetSecrets },
    seedWorker(login, workerGroups = ['engineering']) {
      ensureGroups(workerGroups);
      okta.seedUser({ login, email: login, status: 'ACTIVE', sessions: 2, oauthTokens: 1, groups: workerGroups });
      scim.seedUser({ userName: login, email: login, active: true, groups: workerGroups });
    },
    seedGroups: ensureGroups,
    setLatency(ms) {
      okta.setLatency(ms);
      scim.setLatency(ms);
    },
    writeCount: () => okta.writes().length + scim.writes().length,
    async close() {
      await okta.close();
      await scim.close();
    },
  };
}
