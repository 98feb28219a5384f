import { Worker, type DataConverter, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { checkBundleFor, workflowsPath } from './bundle';
import { withSafeFailures } from './safe-activities';
import { createSystemWorkers, type SystemBudget } from './system-workers';
import { activityTracingInterceptors, workflowTracingModule, workflowTracingSinks } from '../tracing/temporal-tracing';
import type { Tracing } from '../tracing/tracing';

export { workflowsPath } from './bundle';

export interface RunningWorker {
  worker: Worker;
  /** One per connected system, on the system's own task queue. */
  systemWorkers: Worker[];
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
  /** From `dataConverterFor(env)`: payloads and failures encrypted when a key is set. */
  dataConverter?: DataConverter;
  /** Each system's step budget (systemBudgets(config)); a system left out still gets its worker, unlimited. */
  budgets?: readonly SystemBudget[];
  /** The worker's identity in histories (default: the SDK's pid@host). */
  identity?: string;
  /** Where the workflows' and activities' spans go (src/tracing); absent: tracing off. */
  tracing?: Tracing;
}): Promise<RunningWorker> {
  if (options.workflowBundlePath) await checkBundleFor(options.workflowBundlePath, options.dataConverter?.failureConverterPath !== undefined);
  const activities = withSafeFailures(createActivities(options.deps));
  const budgeted = new Map((options.budgets ?? []).map((b) => [b.system, b]));
  const systemWorkers = await createSystemWorkers({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    budgets: [...options.deps.connectors.keys()].map((system) => budgeted.get(system) ?? { system }),
    activities,
    dataConverter: options.dataConverter,
    ...(options.identity ? { identity: options.identity } : {}),
  });
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.identity ? { identity: options.identity } : {}),
    activities,
    dataConverter: options.dataConverter,
    // A prebuilt bundle carries the workflow interceptors already (src/runtime/bundle.ts).
    interceptors: { activity: [activityTracingInterceptors], ...(options.workflowBundlePath ? {} : { workflowModules: [workflowTracingModule] }) },
    sinks: workflowTracingSinks(options.tracing),
    // Activities wait on the systems' answers, not on this CPU, and each system's pacer holds its
    // own concurrency and request budget: slots are cheap, and a burst of leavers must never find
    // a session kill waiting for a slot that a clean-up step holds while it is paced.
    maxConcurrentActivityTaskExecutions: 2000,
    maxConcurrentLocalActivityExecutions: 500,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath }),
  });
  const all = [worker, ...systemWorkers];
  const done = Promise.all(all.map((w) => w.run())).then(() => undefined);
  return {
    worker,
    systemWorkers,
    done,
    async stop() {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
