// eslint: typescript-eslint's recommended-type-checked rules over src/, test/ and bench/, with the
// type information of tsconfig.test.json (which includes all three). Formatting is prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/ (docs/architecture.md, "Layers"): each folder may import only the folders
// listed for it, all of them below it; nothing imports upward. @kubernetes/client-node (80 MiB,
// loaded only with a cluster) is for cluster/ alone. cli/ and the entry points sit on top.
const LAYERS = {
  kube: [],
  settings: ['kube'],
  traffic: ['kube', 'settings'],
  engine: ['kube', 'settings', 'traffic'],
  baseline: ['kube', 'settings', 'traffic', 'engine'],
  cluster: ['kube', 'settings', 'traffic', 'engine'],
  metrics: ['kube', 'settings', 'traffic', 'engine', 'cluster'],
  http: ['kube', 'settings', 'traffic', 'engine', 'cluster', 'metrics'],
  runtime: ['kube', 'settings', 'traffic', 'engine', 'cluster', 'metrics', 'http'],
  audit: ['kube', 'settings', 'traffic', 'engine', 'baseline', 'cluster'],
};
const FOLDERS = [...Object.keys(LAYERS), 'cli'];

export const layerRules = Object.entries(LAYERS).map(([folder, below]) => {
  const denied = FOLDERS.filter((f) => f !== folder && !below.includes(f));
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${denied.join('|')})/`,
              message: `src/${folder}/ imports only from ${below.length ? below.join(', ') : 'nothing else in src/'} (eslint.config.js, LAYERS).`,
            },
            ...(folder === 'cluster'
              ? []
              : [
                  {
                    regex: '^@kubernetes/client-node',
                    message: 'Only src/cluster/ talks to the API server (eslint.config.js, LAYERS).',
                  },
                ]),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/.build/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test(), describe() and it() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  {
    // Tests read JSON off the wire (AdmissionReview answers, API server objects) and assert on
    // its shape; the assertions are the type checks there. Everywhere else `any` is an error.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
