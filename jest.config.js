// Two projects: Node for the cloud function, emulators and end-to-end flows;
// jsdom for mini-program pages rendered by miniprogram-simulate.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }];

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{cloud,emulator,e2e,soak,ship}/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      moduleFileExtensions: ['ts', 'js', 'json'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      // A page renders in well under a second; a machine busy with other runs can take several.
      testTimeout: 15_000,
      // Vant renders in simulate only from a packed miniprogram_npm.
      globalSetup: '<rootDir>/test/miniprogram/global-setup.ts',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      moduleFileExtensions: ['ts', 'js', 'json'],
    },
  ],
};
