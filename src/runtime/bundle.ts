import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ConfigError } from '../config/load';
import { encodedFailureConverterPath } from '../temporal/codec';
import { workflowTracingModule } from '../tracing/temporal-tracing';
import { ENCODED_FAILURES_MARK } from '../temporal/failure-converter';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** The production build's workflow bundle beside the compiled code (scripts/build.ts), when running it. */
const built = new URL('./workflows.bundle.js', import.meta.url);
export const prebuiltWorkflowBundle: string | undefined = existsSync(built) ? fileURLToPath(built) : undefined;

/** Whether this process runs the production build (dist/) rather than the TypeScript sources. */
export const runningBuild = prebuiltWorkflowBundle !== undefined;

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };

/**
 * The workflow code bundled once, ahead of time. Failures thrown in workflow code are converted
 * by the failure converter bundled with it: `encodeFailures` bundles the one that encodes their
 * messages and stack traces, which workers that encrypt payloads need.
 */
export async function bundleWorkflows(options: { encodeFailures: boolean }): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: quietLogger,
    workflowInterceptorModules: [workflowTracingModule],
    ...(options.encodeFailures ? { failureConverterPath: encodedFailureConverterPath } : {}),
  });
  return bundle.code;
}

/**
 * `jml bundle --out FILE`: a worker started with JML_WORKFLOW_BUNDLE=FILE loads it instead of
 * bundling at start-up, which matters when workers are restarted often.
 */
export async function writeWorkflowBundle(out: string, options: { encodeFailures: boolean }): Promise<number> {
  const code = await bundleWorkflows(options);
  await writeFile(out, code);
  return code.length;
}

/**
 * Refuses a prebuilt bundle that would write workflow failures in clear next to encrypted
 * payloads. (The other way round, failure text sits in a plain payload: still readable, nothing hidden.)
 */
export async function checkBundleFor(path: string, encrypting: boolean): Promise<void> {
  if (!encrypting) return;
  const code = await readFile(path, 'utf8');
  if (!code.includes(ENCODED_FAILURES_MARK)) {
    throw new ConfigError(
      `env: JML_WORKFLOW_BUNDLE: ${path} was bundled with JML_PAYLOADS_IN_CLEAR=true (or before failures were encrypted), but payloads are encrypted here: bundle it again with \`jml bundle --out FILE\``,
    );
  }
}
