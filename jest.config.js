/**
 * Five projects: unit (pure logic and the sandbox over HTTP — no Redis), integration and fuzz
 * (a real redis-server started once per run), cluster (a real Redis Cluster), e2e (Debian's Chromium against the production
 * build). `npm run test:all` runs them all after one build.
 * @type {import('jest').Config}
 */
const base = {
  testEnvironment: 'node',
  testTimeout: 30000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
const withRedis = {
  globalSetup: '<rootDir>/test/redis-setup.ts',
  globalTeardown: '<rootDir>/test/redis-teardown.ts',
};

module.exports = {
  // Jest reads the timeout from here only (not per project): a file that needs longer sets it.
  testTimeout: 30000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/{unit,sandbox}/**/*.test.ts'] },
    {
      ...base,
      ...withRedis,
      // Some start the production server or a command from dist/: built first if out of date.
      globalSetup: '<rootDir>/test/integration-setup.ts',
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...base, ...withRedis, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.test.ts'] },
    // A Redis Cluster of its own (six redis-server processes), started by the test file.
    {
      ...base,
      globalSetup: '<rootDir>/test/build-setup.ts',
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
    },
    {
      ...base,
      globalSetup: '<rootDir>/test/build-setup.ts',
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
