// The import rules of src/ (docs/ARCHITECTURE.md), checked by test/architecture/dependencies.test.ts, which also
// refuses any cycle between the top-level folders of src/ (computed there from this cruise's result).
// Tests are left out: a test may reach any folder to set up what it checks.
const PRODUCTION = { path: '^src/', pathNot: '\\.test\\.ts$' };
const DOMAIN_EXCEPTION = '^src/domain/profile-loader\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-upward-import',
      comment: 'Only services/ composes subsystems; api/ and cli/ are transports on top. Nothing below them imports them.',
      severity: 'error',
      from: { ...PRODUCTION, pathNot: [PRODUCTION.pathNot, '^src/(api|services|cli)/'] },
      to: { path: '^src/(api|services|cli)/' },
    },
    {
      name: 'api-does-not-import-roles',
      comment: 'buildApp(deps) is given what it serves; the roles that build the deps live in services/.',
      severity: 'error',
      from: { ...PRODUCTION, path: '^src/api/' },
      to: { path: '^src/(services|cli)/' },
    },
    {
      name: 'services-do-not-import-cli',
      severity: 'error',
      from: { ...PRODUCTION, path: '^src/services/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-simulator-in-production',
      comment:
        'The camera simulator is a test and demo tool. Exceptions: the commands that run it on purpose ' +
        '(`vigil sim`, and `vigil serve --demo` which starts simulated cameras and GB/T 28181 devices).',
      severity: 'error',
      from: { ...PRODUCTION, pathNot: [PRODUCTION.pathNot, '^src/sim/', '^src/cli/commands/(sim|serve|demo-gb-devices)\\.ts$'] },
      to: { path: '^src/sim/' },
    },
    {
      name: 'cascade-apart-from-gb28181',
      comment:
        'The upward cascade (this platform as a lower one) and the GB/T 28181 platform (devices registering here) ' +
        'share only the wire code in media/sip and media/ps, so either can change without the other.',
      severity: 'error',
      from: { ...PRODUCTION, path: '^src/(cascade|gb28181)/' },
      to: { path: '^src/(cascade|gb28181)/', pathNot: '^src/$1/' },
    },
    {
      name: 'domain-has-no-io',
      comment:
        'domain/ is types and pure rules: no file, network or process access, and no folder but itself. ' +
        'Exception: profile-loader.ts also reads the legal data shipped with the project (the profiles folder, loadProfiles; the holiday calendar, defaultHolidayCalendar); parseProfiles is pure. ' +
        'Its file reading is to move out once the jurisdiction-profile work in domain/ has landed (issue 16).',
      severity: 'error',
      from: { ...PRODUCTION, path: '^src/domain/', pathNot: [PRODUCTION.pathNot, DOMAIN_EXCEPTION] },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^src/domain/', '^src/errors\\.ts$', '^node_modules/'],
      },
    },
    {
      name: 'domain-has-no-io-modules',
      severity: 'error',
      from: { ...PRODUCTION, path: '^src/domain/', pathNot: [PRODUCTION.pathNot, DOMAIN_EXCEPTION] },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster|os|process)$' },
    },
    {
      name: 'detector-packages-only-in-release',
      comment:
        'The detector models and their runtimes (onnxruntime-node, TensorFlow.js, Human, the OCR models) are heavy: ' +
        'only release/ loads them, so a process that never masks footage never pays for them.',
      severity: 'error',
      from: { ...PRODUCTION, pathNot: [PRODUCTION.pathNot, '^src/release/'] },
      to: { path: '(^|/)node_modules/(onnxruntime-node|onnxruntime-common|@tensorflow/|@vladmandic/human|@gutenye/)' },
    },
    {
      name: 'release-masking-rules-have-no-io',
      comment: 'The boxes, the tracker and the mask drawing are pure: frames and boxes in, boxes and pixels out (tested without ffmpeg or models).',
      severity: 'error',
      from: { ...PRODUCTION, path: '^src/release/(box|tracker|mask-render|frame)\\.ts$' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster|os|process)$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
