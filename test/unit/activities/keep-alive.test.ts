import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { keptAlive } from '../../../activities/keep-alive';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keptAlive', () => {
  it('beats while a step waits its turn, and stops when it ends', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => void (beats += 1));
    const step = keptAlive(async (ms: number) => (await wait(ms), 'done'), 20);
    expect(await env.run(step, 110)).toBe('done');
    expect(beats).toBeGreaterThanOrEqual(3);
    const after = beats;
    await wait(60);
    expect(beats).toBe(after);
  });

  it('sends no beat for a step done before the first is due', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => void (beats += 1));
    await env.run(keptAlive(async () => 'quick', 50));
    await wait(80);
    expect(beats).toBe(0);
  });

  it('stops beating when the step fails, and passes the failure on', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => void (beats += 1));
    await expect(env.run(keptAlive(async () => (await wait(50), Promise.reject(new Error('system down'))), 20))).rejects.toThrow('system down');
    const after = beats;
    await wait(60);
    expect(beats).toBe(after);
  });

  it('runs outside an activity without beating', async () => {
    expect(await keptAlive(async (n: number) => n + 1, 5)(1)).toBe(2);
  });
});
