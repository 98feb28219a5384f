import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/evidence/types';
import { freePort } from '../../src/temporal/dev-server';
import { bambooSecret } from '../harness/bamboohr';
import { JmlProcess, waitHealthy } from '../harness/jml-process';
import { anomaliesIn, deliverAll, employeeIds, revocationsMissed, seedLeavers } from '../harness/leaver-batch';
import { startTargets, type Targets } from '../harness/targets';
import { auditorToken } from '../harness/test-engine';
import { reduced, report, sizes } from './sizes';

/**
 * `jml dev` killed outright with its whole process group (as a closed terminal or an OOM kill
 * does) and started again on the same .jml/ directory: it comes up each time and finishes the
 * leavers that were in flight, on its embedded Temporal server and PGlite.
 */
let dir: string;
let targets: Targets;
let dev: JmlProcess;
let url: string;
let temporalPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jml-chaos-dev-'));
  // Slow systems keep the leavers in flight when the kill comes.
  targets = await startTargets({ latencyMs: 250 });
  await writeFile(join(dir, 'jml.config.yaml'), `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\n`);
  const [port, uiPort] = [await freePort(), await freePort()];
  temporalPort = await freePort();
  url = `http://127.0.0.1:${port}`;
  dev = new JmlProcess({
    command: 'dev',
    cwd: dir,
    detached: true,
    logFile: join(dir, 'dev.log'),
    env: {
      PORT: String(port),
      JML_DEV_TEMPORAL_PORT: String(temporalPort),
      JML_DEV_UI_PORT: String(uiPort),
      BAMBOOHR_WEBHOOK_SECRET: bambooSecret,
      JML_API_TOKENS: `auditor:${auditorToken}`,
      LOG_LEVEL: 'info',
      ...targets.secrets,
    },
  });
}, 60_000);

afterAll(async () => {
  await dev?.close();
  await targets?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function evidenceOf(id: string): Promise<EvidenceRecord[]> {
  const res = await fetch(`${url}/api/employees/${id}/evidence`, { headers: { authorization: `Bearer ${auditorToken}` }, signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`evidence of ${id}: ${res.status}`);
  return ((await res.json()) as { events: EvidenceRecord[] }).events;
}

async function completed(ids: string[]): Promise<number> {
  let n = 0;
  for (const id of ids) if ((await evidenceOf(id)).some((e) => e.action === 'leaver.completed')) n++;
  return n;
}

/** The Temporal dev servers listening on the port this test gave jml dev: their PID and parent PID. */
async function serversOnPort(): Promise<{ pid: number; ppid: number }[]> {
  const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,ppid=,command=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes('start-dev') && line.includes(`--port ${temporalPort} `))
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid]) => ({ pid: Number(pid), ppid: Number(ppid) }));
}

async function start(): Promise<number> {
  const t = Date.now();
  dev.start();
  await waitHealthy(`${url}/healthz`, 120_000, () => dev.running);
  // The dev server it works with is its own child, not one a killed run left behind.
  expect(await serversOnPort()).toEqual([{ pid: expect.any(Number), ppid: dev.pid }]);
  return Date.now() - t;
}

describe('jml dev killed with its process group and started again', () => {
  it(`comes up ${sizes.dev.restarts} time(s) after a SIGKILL of its process group${reduced ? '' : ' (and once after one of jml dev alone)'} with leavers in flight, and finishes them`, async () => {
    const upMs: number[] = [];
    const ids: string[] = [];
    upMs.push(await start());
    // The last round of the full form kills only the jml dev process: its dev server must not outlive it for long.
    const rounds = sizes.dev.restarts + (reduced ? 0 : 1);
    for (let round = 0; round < rounds; round++) {
      const batch = employeeIds(50_001 + round * 100, sizes.dev.leavers);
      seedLeavers(targets, batch);
      ids.push(...batch);
      const deliveries = await deliverAll(url, batch, { concurrency: 4, deadline: Date.now() + 30_000 });
      expect([...deliveries.values()].every((d) => d.accepted && d.statuses.length === 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      await dev.kill({ parentOnly: round === sizes.dev.restarts });
      upMs.push(await start());
    }
    const t = Date.now();
    for (;;) {
      if ((await completed(ids)) === ids.length) break;
      if (Date.now() - t > 240_000) throw new Error(`leavers not all completed after the restarts: ${await completed(ids)} of ${ids.length}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const completeMs = Date.now() - t;
    const rows = (await Promise.all(ids.map(evidenceOf))).flat();
    expect(anomaliesIn(rows, ids)).toEqual([]);
    expect(revocationsMissed(targets, ids)).toEqual([]);

    // A stop, then a start straight after it, on the same directory.
    const code = await dev.stop();
    expect(code).toBe(0);
    await expect(readFile(join(dir, '.jml', 'temporal.pid'), 'utf8')).rejects.toThrow();
    upMs.push(await start());
    report('(e) jml dev restarts', { kills: dev.kills, starts: dev.starts, upMs, leavers: ids.length, completeMs });
    expect(await dev.stop()).toBe(0);
    // Every dev server this directory saw is gone with the last stop.
    expect(await serversOnPort()).toEqual([]);
  }, 600_000);
});
