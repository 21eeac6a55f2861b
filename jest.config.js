// @ts-check

// ESM all the way (several dependencies are ESM-only); @swc/jest strips types, `npm run typecheck` checks them.
/** @type {import('jest').Config} */
const config = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/services',
    '<rootDir>/operator',
    '<rootDir>/cli',
    '<rootDir>/scripts',
    '<rootDir>/test',
    '<rootDir>/web',
  ],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/generated/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30_000,
  // Two cores: two workers keep Postgres and the CPU busy without thrashing.
  maxWorkers: 2,
  errorOnDeprecated: true,
};

export default config;
