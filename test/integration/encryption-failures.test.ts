import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEnv } from '../../src/config/load';
import { dataConverterFor } from '../../src/temporal/codec';
import type { failingStep } from '../workflows/failing-step';
// The harness keeps the SDK's own logs to warnings.
import '../harness/engine';

/**
 * Failure messages and stack traces are stored in history in clear unless the failure converter
 * moves them into a payload for the codec: with a key set, a failing step's text (here, as so
 * often, naming the person) is as hidden as its inputs.
 */
const marker = `zelda-${randomBytes(4).toString('hex')}.failing@acme.test`;
const taskQueue = `jml-test-failures-${randomBytes(4).toString('hex')}`;
const dataConverter = dataConverterFor(parseEnv({ JML_ENCRYPTION_KEY: randomBytes(32).toString('base64') }));
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let withCodec: Client;
let raw: Client;

beforeAll(async () => {
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  // Bundled at start-up, as a worker without JML_WORKFLOW_BUNDLE does: the SDK bundles the data
  // converter's failure converter into the workflow code.
  worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../workflows/failing-step.ts', import.meta.url)),
    dataConverter,
    activities: {
      async lookUp(login: string) {
        throw new Error(`GET /api/v1/users/${login} answered 503`);
      },
    },
  });
  running = worker.run();
  const client = await Connection.connect({ address: inject('temporalAddress') });
  withCodec = new Client({ connection: client, dataConverter });
  raw = new Client({ connection: client });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await withCodec?.connection.close();
  await connection?.close();
});

describe('failures with JML_ENCRYPTION_KEY set', () => {
  it('keep their messages and stack traces out of the stored history; a client with the codec reads them', async () => {
    const workflowId = `failing-step-${randomBytes(4).toString('hex')}`;
    const handle = await withCodec.workflow.start<typeof failingStep>('failingStep', { taskQueue, workflowId, args: [marker] });

    const failure = await handle.result().then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const thrown = (failure as WorkflowFailedError).cause;
    expect(thrown?.message).toBe(`giving up on ${marker}`);
    // Workflow failure -> ActivityFailure -> the activity's own error.
    const own = (thrown?.cause as Error | undefined)?.cause as Error | undefined;
    expect(own?.message).toBe(`GET /api/v1/users/${marker} answered 503`);
    expect(own?.stack).toContain('encryption-failures.test.ts');

    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish());
    const json = JSON.stringify(history);
    // The stack traces name this file.
    for (const text of [marker, marker.split('@')[0]!, 'giving up on', 'answered 503', 'encryption-failures.test']) {
      expect(bytes.includes(Buffer.from(text)), `"${text}" in the stored history`).toBe(false);
      expect(json.includes(text), `"${text}" in the stored history`).toBe(false);
    }

    // The failures are there, each with its text moved into an encrypted payload.
    const events = history.events ?? [];
    const failures = [
      ...events.filter((e) => e.activityTaskStartedEventAttributes?.lastFailure).map((e) => e.activityTaskStartedEventAttributes!.lastFailure!),
      ...events.filter((e) => e.activityTaskFailedEventAttributes).map((e) => e.activityTaskFailedEventAttributes!.failure!),
      ...events.filter((e) => e.workflowExecutionFailedEventAttributes).map((e) => e.workflowExecutionFailedEventAttributes!.failure!),
    ];
    expect(failures.length).toBeGreaterThanOrEqual(3);
    const chain = (f: proto.temporal.api.failure.v1.IFailure | null | undefined): proto.temporal.api.failure.v1.IFailure[] => (f ? [f, ...chain(f.cause)] : []);
    for (const f of failures.flatMap((top) => chain(top))) {
      expect(f.message).toBe('Encoded failure');
      expect(f.stackTrace ?? '').toBe('');
      expect(Buffer.from(f.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    }
  });
});
