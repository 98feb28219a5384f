import { fileURLToPath } from 'node:url';
import { Worker, type DataConverter, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has drained and stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Pre-built workflow bundle (tests build one per run); otherwise bundled from source. */
  workflowBundlePath?: string;
  /** From `dataConverterFor(env)`: payload encryption when JML_ENCRYPTION_KEY is set. */
  dataConverter?: DataConverter;
}): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    dataConverter: options.dataConverter,
    // Activities wait on the systems' answers, not on this CPU, and each system's pacer holds its
    // own concurrency and request budget: slots are cheap, and a burst of leavers must never find
    // a session kill waiting for a slot that a clean-up step holds while it is paced.
    maxConcurrentActivityTaskExecutions: 2000,
    maxConcurrentLocalActivityExecutions: 500,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath }),
  });
  const done = worker.run();
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
