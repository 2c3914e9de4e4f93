// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';

/**
 * The layering rule of DESIGN §2: which of our packages each package may import.
 * A package absent from a list may not be imported from there.
 */
const layers = {
  core: [],
  protocol: [],
  testing: ['core'],
  // Adapters import @baton/testing only to run its contract suites in their tests.
  'store-sqlite': ['core', 'testing'],
  // Adapters that need a real server start a throwaway one in their tests through @baton/test-services.
  'store-postgres': ['core', 'testing', 'test-services'],
  'queue-bullmq': ['core', 'testing', 'test-services'],
  'test-services': [],
  agents: ['core', 'testing'],
  // The composition root of both modes: the one place that wires concrete adapters together.
  embedded: ['core', 'store-sqlite', 'store-postgres', 'queue-bullmq', 'agents', 'testing', 'test-services'],
  // The HTTP API over a Baton; embedded is the composition root it serves (ADR 0002).
  server: ['core', 'protocol', 'embedded', 'test-services'],
  cli: ['core', 'protocol', 'embedded', 'server', 'test-services'],
  bench: [
    'core',
    'testing',
    'test-services',
    'store-sqlite',
    'store-postgres',
    'queue-bullmq',
    'agents',
    'embedded',
  ],
};

const ours = [
  'core',
  'testing',
  'test-services',
  'protocol',
  'store-sqlite',
  'store-postgres',
  'queue-bullmq',
  'agents',
  'embedded',
  'server',
  'cli',
  'bench',
];

const layerRules = Object.entries(layers).map(([pkg, allowed]) => ({
  files: [pkg === 'bench' ? 'bench/**/*.ts' : `packages/${pkg}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ours.filter((p) => !allowed.includes(p) && p !== pkg).map((p) => `@baton/${p}`),
            message: `DESIGN §2: @baton/${pkg} may import only ${allowed.length ? allowed.map((p) => '@baton/' + p).join(', ') : 'none of our packages'}.`,
          },
          { group: ['@baton/*/*'], message: 'Import a package by its name; no deep imports.' },
          { group: ['../../*/src/*', '../../../packages/*'], message: 'Import another package by its name.' },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.ts', 'tests/*.ts', 'eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['packages/*/tsconfig.json', 'bench/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Export by name, never `export *` (STYLE).' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: { 'max-lines': ['warn', { max: 600, skipBlankLines: true, skipComments: true }] },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  ...layerRules,
  prettier,
);
