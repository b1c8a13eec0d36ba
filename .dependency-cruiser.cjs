// The house's floors, checked by `npm run lint` (so by `npm test`): no import cycle in the function or the emulators
// (type-only imports count: a cycle of types still ties two rooms together), and each side keeps
// to its own.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A module that needs what needs it: move the shared part down a floor, or pass it in.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'function-stands-alone',
      severity: 'error',
      comment: 'The cloud function ships alone: it never reaches into the emulators, tests or scripts.',
      from: { path: '^cloudfunctions/' },
      to: { path: '^(emulator|test|scripts|bench)/' },
    },
    {
      name: 'emulator-plays-wechat-only',
      severity: 'error',
      comment:
        "The emulators play WeChat's side: they never import the function they are tested against " +
        '(the local stack and the scale seed, which assemble both, sit beside them).',
      from: { path: '^emulator/(open-platform|cloud)/' },
      to: { path: '^cloudfunctions/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Built bundles are outputs, not modules of the house.
    includeOnly: '^(cloudfunctions/[^/]+/src|emulator|clients|typings)/',
  },
};
