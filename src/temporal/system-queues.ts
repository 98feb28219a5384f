/**
 * Each connected system's steps run on task queues of their own, named from the engine's queue:
 * `jml.system.okta` for its clean-up and provisioning steps, whose dispatch rate the Temporal
 * server holds across every worker (src/runtime/system-workers.ts), and
 * `jml.system.okta.sessions` for the steps that end a leaver's sessions, which the server
 * dispatches at once and the system's pacer alone holds to its budget. Pure: workflow code uses it too.
 */
export function systemTaskQueue(mainQueue: string, system: string): string {
  return `${mainQueue}.system.${system}`;
}

export function systemSessionsTaskQueue(mainQueue: string, system: string): string {
  return `${systemTaskQueue(mainQueue, system)}.sessions`;
}

/** The system a system queue belongs to (either kind), or undefined for another queue. */
export function systemOfTaskQueue(mainQueue: string, taskQueue: string): string | undefined {
  const prefix = `${mainQueue}.system.`;
  if (!taskQueue.startsWith(prefix)) return undefined;
  return taskQueue.slice(prefix.length).replace(/\.sessions$/, '');
}
