import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    // Integration suites boot real sshd guests: give them room, and keep parallelism modest on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    fileParallelism: true,
    server: { deps: { inline: ['electron-store'] } },
  },
})
