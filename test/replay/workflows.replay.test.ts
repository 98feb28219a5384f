import { readFile, readdir } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

const dir = 'test/replay/histories';
const histories = (await readdir(dir)).filter((f) => f.endsWith('.json'));

/**
 * Replays real recorded histories against today's workflow code: a change that would make a
 * running workflow non-deterministic fails here. Re-record with UPDATE_HISTORIES=1 only when a
 * change is meant to be incompatible (and then version it with patched()).
 */
describe('workflow replay', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(8);
  });

  it.each(histories)('replays %s without non-determinism', async (file) => {
    const json: unknown = JSON.parse(await readFile(`${dir}/${file}`, 'utf8'));
    const history = temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, file);
  });
});
