/**
 * Reconciliation benchmark: how long the engine takes to catch up after a webhook outage.
 * N employees are terminated in BambooHR (the API peer, 150 ms per response, like the target
 * systems) and no webhook is sent; the BambooHR schedule is then triggered once. Measured: the
 * poll itself (changed-since, one record read and one workflow query per employee, the events
 * stored and handed over) and the time until every one of them has no session left in either
 * target system. Sizes: --sizes 10,50,200 (default).
 */
import { reconcileScheduleId } from '../src/temporal/schedules';
import { start as startBambooPeer } from '../test/peers/bamboohr-peer';
import { UsageError, writeResult, type Benchmark } from './common';
import { latencyMs } from './options';
import { idSource, measuredWith, withRig } from './rig';

const apiKey = 'bamboohr-bench-key';

function sizesOf(args: string[]): number[] {
  const at = args.indexOf('--sizes');
  if (at === -1) return [10, 50, 200];
  const sizes = (args[at + 1] ?? '').split(',').map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 2000)) throw new UsageError('--sizes takes whole numbers 1-2000, e.g. 10,50,200');
  return sizes;
}

async function run(args: string[]): Promise<void> {
  const sizes = sizesOf(args);
  const bamboo = await startBambooPeer({ apiKey, latencyMs });
  const terminationDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const rows: { changed: number; pollMs: number; allSessionsKilledMs: number; perEmployeeMs: number }[] = [];
  try {
    await withRig(
      {
        name: 'reconcile',
        n: sizes.reduce((a, b) => a + b, 0),
        config: 'sla: { leaverSessionKill: 60s }\nhris:\n  bamboohr: { pollEvery: 1h, webhookGrace: 0s }\n',
        env: { BAMBOOHR_API_URL: bamboo.url, BAMBOOHR_API_KEY: apiKey },
      },
      async (rig) => {
        const { log, engine, targets } = rig;
        const next = idSource(700_000, 'catchup');
        const schedule = engine.client.schedule.getHandle(reconcileScheduleId('bamboohr', engine.taskQueue));
        for (const size of sizes) {
          const workers = Array.from({ length: size }, next);
          for (const w of workers) {
            targets.seedWorker(w.login, []);
            bamboo.setEmployee(w.employeeId, { workEmail: w.login, firstName: 'Catch', lastName: 'Up', status: 'Inactive', hireDate: '2022-01-03', terminationDate });
          }
          const polls = (await engine.services.watermarks.get('bamboohr'))?.polls ?? 0;
          const started = Date.now();
          await schedule.trigger();
          let pollMs = 0;
          for (;;) {
            if (!pollMs && ((await engine.services.watermarks.get('bamboohr'))?.polls ?? 0) > polls) pollMs = Date.now() - started;
            if (pollMs && workers.every((w) => targets.okta.sessionsOf(w.login) === 0 && targets.scim.user(w.login)?.active === false)) break;
            if (Date.now() - started > 30 * 60_000) throw new Error(`${size} employees not caught up within 30 minutes`);
            await new Promise((r) => setTimeout(r, 20));
          }
          const allSessionsKilledMs = Date.now() - started;
          rows.push({ changed: size, pollMs, allSessionsKilledMs, perEmployeeMs: Math.round(allSessionsKilledMs / size) });
          log(`${size} missed terminations: poll ${pollMs} ms, all sessions killed and accounts disabled after ${allSessionsKilledMs} ms`);
        }
        const path = await writeResult('reconcile', {
          benchmark: 'reconcile',
          definition: 'BambooHR schedule triggered once after N terminations with no webhook -> poll finished, and every one of them without sessions (Okta) and deactivated (SCIM)',
          peerLatencyMs: latencyMs,
          pollConcurrency: 8,
          results: rows,
          measuredWith: measuredWith(rig),
        });
        console.log(['', '| missed terminations | poll (ms) | all offboarded (ms) | per employee (ms) |', '|---:|---:|---:|---:|', ...rows.map((r) => `| ${r.changed} | ${r.pollMs} | ${r.allSessionsKilledMs} | ${r.perEmployeeMs} |`), '', `written to ${path}`].join('\n'));
      },
    );
  } finally {
    await bamboo.close();
  }
}

export const reconcileBenchmark: Benchmark = {
  summary: 'N terminations whose webhooks never came -> caught by one triggered poll, all offboarded',
  run,
};
