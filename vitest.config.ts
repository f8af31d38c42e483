import { defineConfig } from 'vitest/config';

// Peers (QEMU, OpenOCD, rp2040js) start per test file on free ports; two cores in CI,
// so keep parallelism modest and timeouts generous but finite.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
