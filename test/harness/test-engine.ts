import { inject } from 'vitest';
import { startEngine, type EngineOptions, type TestEngine } from './engine';

export { adminToken, auditorToken, type TestEngine } from './engine';

/**
 * The real engine (API + worker, as `jml dev` wires them) on the run's shared Temporal dev
 * server, with its own task queue and database schema. An engine with a key loads the bundle
 * whose workflow failures are encoded, as a worker bundling at start-up would.
 */
export function startTestEngine(options: EngineOptions): Promise<TestEngine> {
  const encrypting = options.env?.JML_ENCRYPTION_KEY !== undefined || options.env?.JML_ENCRYPTION_KEYS !== undefined;
  const workflowBundlePath = inject(encrypting ? 'encodedFailuresBundlePath' : 'workflowBundlePath');
  return startEngine({ ...options, temporalAddress: inject('temporalAddress'), workflowBundlePath });
}
