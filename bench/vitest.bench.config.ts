import { defineConfig } from 'vitest/config'

// Benchmarks are vitest files that measure and record figures; they assert nothing about speed.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
})
