import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // Two files at a time (Vitest's default here would be one, cores minus one): the files mostly
    // wait on Temporal, Postgres and the peers, so two halve the wall time on two cores. Each
    // file has its own task queue, schema and worker IDs.
    maxWorkers: 2,
    include: ['test/**/*.test.ts'],
    // The chaos suite has its own config (vitest.chaos.config.ts, `npm run test:chaos`).
    exclude: [...configDefaults.exclude, 'test/chaos/**'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
