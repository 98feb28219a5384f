import type { Tracing } from '../../src/tracing/tracing';
import { bambooSecret } from './bamboohr';
import { startTargets, type Targets } from './targets';
import { startTestEngine, type TestEngine } from './test-engine';

/**
 * The engine on the usual two systems (an Okta peer and a SCIM server), with a signed BambooHR
 * door, a 60 s session-kill SLA and a 15 m full-revoke SLA; `yaml` and `env` add to that.
 */
export async function startEngineOnTargets(options: { yaml?: string; env?: Record<string, string>; tracing?: Tracing } = {}): Promise<{ targets: Targets; engine: TestEngine; close(): Promise<void> }> {
  const targets = await startTargets();
  const engine = await startTestEngine({
    yaml: `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n${options.yaml ?? ''}`,
    env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, ...options.env },
    secrets: targets.secrets,
    ...(options.tracing ? { tracing: options.tracing } : {}),
  }).catch(async (err: unknown) => {
    await targets.close();
    throw err;
  });
  return {
    targets,
    engine,
    async close() {
      await engine.close();
      await targets.close();
    },
  };
}
