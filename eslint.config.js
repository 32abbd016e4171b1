// The linter: typescript-eslint's recommended rules on the TypeScript tree; the formatter is prettier
// (.prettierrc.json), so no rule here is about layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'results/', 'bpf/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // a leading underscore names what a signature or a destructuring must have but the code does not use
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // tests read JSON records and documents whose shape is what they assert
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // scripts run under node and zx (whose globals are $, which, fs, path, …)
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        ...globals.node,
        $: 'readonly',
        which: 'readonly',
        fs: 'readonly',
        path: 'readonly',
        argv: 'readonly',
        echo: 'readonly',
        chalk: 'readonly',
        os: 'readonly',
        sleep: 'readonly',
        cd: 'readonly',
        within: 'readonly',
        quiet: 'readonly',
      },
    },
  },
);
