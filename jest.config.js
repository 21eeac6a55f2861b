// @ts-check

// ESM all the way (several dependencies are ESM-only); @swc/jest strips types, `npm run typecheck` checks them.
/** @type {import('jest').Config} */
const project = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
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
};
const ignored = ['/node_modules/', '/generated/'];

/** @type {import('jest').Config} */
const config = {
  // Two projects: `npm run test:unit` runs the suite, then the chaos run on its own. The chaos run
  // starts a whole platform of its own and wants both cores; beside it, other suites' transactions
  // starved past their time limits.
  projects: [
    {
      ...project,
      displayName: 'suite',
      roots: [
        '<rootDir>/packages',
        '<rootDir>/services',
        '<rootDir>/operator',
        '<rootDir>/cli',
        '<rootDir>/scripts',
        '<rootDir>/test',
        '<rootDir>/web',
      ],
      testPathIgnorePatterns: [...ignored, '<rootDir>/test/chaos/'],
    },
    { ...project, displayName: 'chaos', roots: ['<rootDir>/test/chaos'], testPathIgnorePatterns: ignored },
  ],
  // Read from the global configuration (a project's own testTimeout is not applied).
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Two cores: two workers keep Postgres and the CPU busy without thrashing.
  maxWorkers: 2,
  errorOnDeprecated: true,
};

export default config;
