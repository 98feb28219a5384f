import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, defaultPayloadConverter, type FailureConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load';
import { checkBundleFor } from '../../src/runtime/bundle';
import { encodedFailureConverterPath } from '../../src/temporal/codec';
import { ENCODED_FAILURES_MARK } from '../../src/temporal/failure-converter';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'jml-bundle-check-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('encoded failures', () => {
  it('the converter module, loaded by path as the SDK loads it, moves message and stack trace into a payload', () => {
    const { failureConverter } = createRequire(import.meta.url)(encodedFailureConverterPath) as { failureConverter: FailureConverter };
    const failure = failureConverter.errorToFailure(ApplicationFailure.create({ message: 'no account for dana@acme.test' }), defaultPayloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(defaultPayloadConverter.fromPayload(failure.encodedAttributes!)).toMatchObject({ message: 'no account for dana@acme.test' });
    expect(failureConverter.failureToError(failure, defaultPayloadConverter).message).toBe('no account for dana@acme.test');
  });

  it('a prebuilt workflow bundle without the converter is refused where payloads are encrypted, and only there', async () => {
    const clear = join(dir, 'clear.js');
    const encoded = join(dir, 'encoded.js');
    await writeFile(clear, '/* workflow code */');
    await writeFile(encoded, `/* workflow code */ const mark = "${ENCODED_FAILURES_MARK}";`);
    await expect(checkBundleFor(clear, true)).rejects.toThrow(ConfigError);
    await expect(checkBundleFor(clear, true)).rejects.toThrow(/^env: JML_WORKFLOW_BUNDLE: .*bundle it again with `jml bundle/);
    await expect(checkBundleFor(clear, false)).resolves.toBeUndefined();
    await expect(checkBundleFor(encoded, true)).resolves.toBeUndefined();
    await expect(checkBundleFor(encoded, false)).resolves.toBeUndefined();
  });
});
