import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./src/polyfill.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machines: integration tests start many processes, keep files sequential there.
    fileParallelism: true,
    maxWorkers: 2,
  },
})
