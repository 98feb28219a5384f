/**
 * Benchmark runner: `npm run bench` runs every benchmark, `npm run bench -- leaver` one of them.
 * Options after the names (e.g. `--n 80`) go to each benchmark that runs.
 */

import { UsageError, type Benchmark } from './common';

const benchmarks: Record<string, { summary: string; load: () => Promise<Benchmark> }> = {
  leaver: {
    summary: 'webhook POST -> sessions killed in every system, against direct calls to the same systems; then the same across every kind of system',
    load: async () => {
      const [{ leaverBenchmark }, { leaverAllSystemsBenchmark }] = await Promise.all([import('./scenarios/leaver'), import('./leaver-all-systems')]);
      return {
        summary: leaverBenchmark.summary,
        async run(args: string[]) {
          await leaverBenchmark.run(args);
          await leaverAllSystemsBenchmark.run(args);
        },
      };
    },
  },
  'leaver-all-systems': {
    summary: 'webhook POST -> sessions ended in every kind of system (the second half of leaver)',
    load: async () => (await import('./leaver-all-systems')).leaverAllSystemsBenchmark,
  },
  joiner: {
    summary: 'webhook POST -> accounts created and entitlements granted in every system, against direct calls to the same systems',
    load: async () => (await import('./scenarios/joiner')).joinerBenchmark,
  },
  outage: {
    summary: 'leavers while one system answers 503 for a minute -> the other system killed and revoked, the first once it is back',
    load: async () => (await import('./outage')).outageBenchmark,
  },
  reconcile: {
    summary: 'N terminations whose webhooks never came -> caught by one triggered poll, all offboarded',
    load: async () => (await import('./reconcile')).reconcileBenchmark,
  },
  'intake-outage': {
    summary: 'webhooks answered while Temporal is down (p50/p95/p99), and the catch-up once it is back',
    load: async () => (await import('./intake-outage')).intakeOutageBenchmark,
  },
  layoff: {
    summary: 'a layoff: N terminations in one delivery, as N single deliveries, and under Okta rate limits -> the last sessions ended',
    load: async () => (await import('./layoff')).layoffBenchmark,
  },
  intake: {
    summary: 'signed BambooHR webhooks at 500/s from a second process: answer p50/p95/p99, none lost or duplicated; one delivery of 1,000 employees',
    load: async () => (await import('./intake')).intakeBenchmark,
  },
  orphans: {
    summary: 'orphan reconciliation of 100,000 accounts in each of two systems against their workers\u2019 HR history: first run and steady state',
    load: async () => (await import('./orphans')).orphansBenchmark,
  },
  review: {
    summary: "an access review's snapshot: 2,000 workers' access in six systems (three Okta under its rate limits, three SCIM), peers answering after 150 ms",
    load: async () => (await import('./review')).reviewBenchmark,
  },
  'queue-dispatch': {
    summary: 'how long a lone step waits for dispatch on an idle rate-limited task queue, with the server\u2019s partitions and with one',
    load: async () => (await import('./queue-dispatch')).queueDispatchBenchmark,
  },
  'worker-start': {
    summary: 'jml worker from spawn to polling: from the sources bundling at start-up, with the prebuilt bundle, and compiled (the production image)',
    load: async () => (await import('./worker-start')).workerStartBenchmark,
  },
  report: {
    summary: 'the offboarding report over 100,000 leavers (a year of evidence): one month and the whole year, against the 2 s goal',
    load: async () => (await import('./report')).reportBenchmark,
  },
  evidence: { summary: 'evidence appends/s and append latency at 1, 10 and 100 callers, one transaction per append against group commit', load: async () => (await import('./evidence')).evidenceBenchmark },
};

function usage(): string {
  const names = Object.entries(benchmarks).map(([name, b]) => `  ${name.padEnd(14)} ${b.summary}`);
  return ['usage: npm run bench [-- <name>... [options]]', '', 'benchmarks:', ...names, '', 'see bench/README.md for options'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const firstOption = argv.findIndex((a) => a.startsWith('-'));
  const names = firstOption === -1 ? argv : argv.slice(0, firstOption);
  const options = firstOption === -1 ? [] : argv.slice(firstOption);
  const unknown = names.filter((n) => !Object.hasOwn(benchmarks, n));
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
    return 2;
  }
  const selected = names.length > 0 ? [...new Set(names)] : Object.keys(benchmarks);
  for (const name of selected) {
    try {
      const bench = await benchmarks[name]!.load();
      await bench.run(options);
    } catch (err) {
      if (err instanceof UsageError) {
        console.error(`bench ${name}: ${err.message}`);
        return 2;
      }
      console.error(`bench ${name} failed:`, err);
      return 1;
    }
  }
  return 0;
}
