/** Jest runs the TypeScript sources through swc; `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Prefer the TypeScript sources over the JavaScript that `npm run build` leaves beside them.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    '^cdk-cqrs$': '<rootDir>/lib/index.ts',
    '^cdk-cqrs/runtime$': '<rootDir>/lambda/index.ts',
    '^cdk-cqrs/testing$': '<rootDir>/lambda/testing/index.ts',
    '^cdk-cqrs/local$': '<rootDir>/lambda/local/index.ts',
  },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 60_000,
};
