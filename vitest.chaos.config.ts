import { defineConfig } from 'vitest/config';

/**
 * The chaos suite (`npm run test:chaos`): real processes killed and restarted. Files run one
 * after another (each starts its own Postgres, Temporal and jml processes); every wait is bounded.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/chaos/**/*.chaos.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
