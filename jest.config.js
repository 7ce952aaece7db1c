import { createDefaultEsmPreset } from 'ts-jest';

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

/** @type {import('jest').Config} */
export default {
  ...preset,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The end-to-end tests spawn dist/: build it first when it is older than src/.
  globalSetup: '<rootDir>/test/global-setup.js',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // E2E tests spawn the built CLI and an emulator; give them room on a 2-core machine.
  testTimeout: 30000,
};
