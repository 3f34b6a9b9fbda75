// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const OUTSIDE_PRODUCT = {
  group: [
    '**/sandbox/**',
    '**/sandbox',
    '**/harness/**',
    '**/bench/**',
    '**/test/**',
    '**/scripts/**',
  ],
  message: 'The product never imports the sandbox, the harness, the benchmark or the tests.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'jest.config.js',
      'public/',
      'tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The product never imports the sandbox, the harness, the benchmark or the tests.
    files: ['src/**/*.ts'],
    ignores: ['src/zoom/**', 'src/store/**', 'src/config.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OUTSIDE_PRODUCT] }] },
  },
  {
    // The domain knows neither express nor Redis: its storage needs are interfaces
    // (src/zoom/grant.ts) that store/ implements.
    files: ['src/zoom/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'express-session', 'ioredis'],
          patterns: [
            OUTSIDE_PRODUCT,
            {
              group: ['**/http/**', '**/store/**', '../http', '../store'],
              message: 'Dependencies point inward.',
            },
          ],
        },
      ],
    },
  },
  {
    // Storage implements the domain's interfaces and knows nothing of the edge.
    files: ['src/store/**/*.ts', 'src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'express-session'],
          patterns: [
            OUTSIDE_PRODUCT,
            { group: ['**/http/**', '../http'], message: 'Dependencies point inward.' },
          ],
        },
      ],
    },
  },
  {
    // The sandbox is an oracle of Zoom: it never borrows the app's code.
    files: ['sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../src/**', '../../src/**', '../harness/**'],
              message: 'The sandbox stands alone.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
