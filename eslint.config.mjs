// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'jest.config.js',
      'jest.e2e.config.js',
      'public/',
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
    // The layers below the HTTP edge must not know express (ARCHITECTURE.md).
    files: ['src/zoom/**/*.ts', 'src/store/**/*.ts', 'src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'express-session'],
          patterns: [
            { group: ['**/http/**', '**/sandbox/**'], message: 'Dependencies point inward.' },
          ],
        },
      ],
    },
  },
  {
    // The app never imports the sandbox.
    files: ['src/**/*.ts'],
    ignores: ['src/sandbox/**', 'src/zoom/**', 'src/store/**', 'src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/sandbox/**', '../sandbox/*', './sandbox/*'],
              message: 'The app never imports the sandbox.',
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
