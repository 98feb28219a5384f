import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from './worker';

/**
 * `jml bundle --out FILE`: the workflow code bundled once, ahead of time. A worker started with
 * JML_WORKFLOW_BUNDLE=FILE loads it instead of bundling at start-up, which matters when workers
 * are restarted often.
 */
export async function writeWorkflowBundle(out: string): Promise<number> {
  const noop = () => undefined;
  const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
  const bundle = await bundleWorkflowCode({ workflowsPath, logger });
  await writeFile(out, bundle.code);
  return bundle.code.length;
}
