/**
 * Each connected system's steps run on a task queue of their own, named from the engine's queue
 * (`jml` -> `jml.system.okta`), whose dispatch rate the Temporal server holds across every worker
 * (src/runtime/system-workers.ts). Pure: workflow code uses it too.
 */
export function systemTaskQueue(mainQueue: string, system: string): string {
  return `${mainQueue}.system.${system}`;
}
