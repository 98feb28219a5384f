import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { startDevServer } from '../../src/temporal/dev-server';
import { searchAttributeFlags } from '../../src/temporal/search-attributes';
import { bundleWorkflows } from '../../src/runtime/bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    /** The same code with the failure converter that encrypting workers need. */
    encodedFailuresBundlePath: string;
  }
}

/** One Temporal dev server and the workflow bundles (failures in clear, failures encoded) for the whole run, shared by every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cli = await resolveTemporalCli({ log: (line) => console.error(line) });
  let stop: () => Promise<void>;
  let address: string;
  if (cli.source === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { extraArgs: searchAttributeFlags.flatMap((f) => ['--search-attribute', f]) },
    });
    address = env.address;
    stop = () => env.teardown();
  } else {
    const server = await startDevServer({ binary: cli.path });
    address = server.address;
    stop = server.stop;
  }
  const dir = await mkdtemp(join(tmpdir(), 'jml-bundle-'));
  const bundlePath = join(dir, 'workflows.js');
  const encodedPath = join(dir, 'workflows-encoded-failures.js');
  await writeFile(bundlePath, await bundleWorkflows({ encodeFailures: false }));
  await writeFile(encodedPath, await bundleWorkflows({ encodeFailures: true }));
  project.provide('temporalAddress', address);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('encodedFailuresBundlePath', encodedPath);
  return async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };
}
