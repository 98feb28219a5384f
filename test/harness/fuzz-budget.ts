import fc from 'fast-check';

/**
 * How many cases each fuzz property runs, and how a failure is replayed.
 *
 * FUZZ_RUNS is the total for the whole fuzz suite (default 1,000: what `npm test` runs; CI
 * runs 10,000 once). Each property has a weight below; its share of the total is its weight
 * over the sum of all weights, so the suite's total stays FUZZ_RUNS whichever files run.
 * FUZZ_SEED fixes fast-check's seed (every property then starts from it); FUZZ_PATH, with the
 * seed, replays one counterexample exactly as the failure report prints it. Each property logs
 * its cases, time, seed and outcomes; FUZZ_REPORT=0 keeps it quiet.
 */
const weights = {
  // Pure parsers and normalisers: cheap, so they take a good share.
  'bamboohr.payload': 700,
  'bamboohr.signature': 400,
  'bamboohr.timestamp': 200,
  'bamboohr.normalize': 300,
  'workday.notification': 640,
  'workday.signature': 400,
  'workday.basic': 150,
  'workday.xml': 250,
  'workday.dates': 150,
  'config.duration': 300,
  'config.file': 300,
  'config.env': 200,
  'policy.matcher': 350,
  'policy.diff': 200,
  'preview.params': 250,
  'storable-text': 150,
  'codec.payload-json': 200,
  // HTTP doors: one request (or a few) per case.
  'http.bamboohr.forged': 400,
  'http.bamboohr.signed': 450,
  'http.bamboohr.near-valid': 350,
  'http.workday.forged': 300,
  'http.workday.signed': 350,
  'http.workday.near-valid': 300,
  'http.workday.outage': 60,
  'http.slack.forged': 300,
  'http.slack.signed': 150,
  'http.api.auth': 400,
  'http.api.reports': 350,
  'http.api.employees': 300,
  'http.api.approvals': 350,
  'http.codec': 300,
  'http.codec.round-trip': 100,
  'http.anywhere': 350,
} as const;

export type FuzzProperty = keyof typeof weights;

const totalWeight = Object.values(weights).reduce((a, b) => a + b, 0);

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

export const fuzzTotal = positiveInt('FUZZ_RUNS', 1000);

/** Per test: 10,000 cases on a busy CI machine, plus shrinking a failure, take a while. */
export const fuzzTestTimeout = { timeout: 240_000 };

/** Cases for one property: its share of FUZZ_RUNS, at least 3. */
export function runsFor(name: FuzzProperty): number {
  return Math.max(3, Math.round((fuzzTotal * weights[name]) / totalWeight));
}

function parameters<Ts>(name: FuzzProperty): fc.Parameters<Ts> {
  const seed = process.env.FUZZ_SEED;
  const path = process.env.FUZZ_PATH;
  return {
    numRuns: runsFor(name),
    ...(seed !== undefined && seed !== '' ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
  };
}

/** Tallies of what the cases of one property got (status codes, outcomes), for the log line. */
export type Tally = Map<string, number>;

export function count(tally: Tally, key: string): void {
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

/**
 * Runs a property with its budget; on failure throws fast-check's report (the counterexample,
 * the seed and the path) and the command that replays it.
 */
export async function fuzz<Ts extends [unknown, ...unknown[]]>(
  name: FuzzProperty,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  options: { tally?: Tally } = {},
): Promise<void> {
  const started = Date.now();
  const details = await fc.check(property as fc.IAsyncPropertyWithHooks<Ts>, parameters<Ts>(name));
  const took = Date.now() - started;
  if (details.failed) {
    const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH="${details.counterexamplePath ?? ''}" npx vitest run test/fuzz -t "${name}"`;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details) ?? `property ${name} failed`}\n\n${cause}\n\nReplay: ${replay}`);
  }
  if (process.env.FUZZ_REPORT !== '0') {
    const tally = options.tally ? ` ${JSON.stringify(Object.fromEntries([...options.tally].sort()))}` : '';
    console.log(`fuzz ${name}: ${details.numRuns} cases in ${took} ms (seed ${details.seed})${tally}`);
  }
}
