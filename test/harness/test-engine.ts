import { inject } from 'vitest';
import { startEngine, type EngineOptions, type TestEngine } from './engine';

export { adminToken, auditorToken, type TestEngine } from './engine';

/**
 * The real engine (API + worker, as `jml dev` wires them) on the run's shared Temporal dev
 * server, with its own task queue and database schema.
 */
export function startTestEngine(options: EngineOptions): Promise<TestEngine> {
  return startEngine({ ...options, temporalAddress: inject('temporalAddress'), workflowBundlePath: inject('workflowBundlePath') });
}
