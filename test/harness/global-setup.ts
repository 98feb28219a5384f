import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { resolveTemporalCli } from '../../src/temporal/cli-path';
import { startDevServer } from '../../src/temporal/dev-server';
import { searchAttributeFlags } from '../../src/temporal/search-attributes';
import { workflowsPath } from '../../src/runtime/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/** One Temporal dev server and one workflow bundle for the whole run, shared by every test file. */
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
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const bundlePath = join(dir, 'workflows.js');
  await writeFile(bundlePath, bundle.code);
  project.provide('temporalAddress', address);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
