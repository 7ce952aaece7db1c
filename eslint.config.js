// typescript-eslint's strict type-checked rules over src/ and test/, plus
// exhaustive switches: a new string-union member must be handled everywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-check/**', 'coverage/**', 'node_modules/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: true }],
      // Numbers in messages ("3 of 5 regions") are what messages are made of.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // With noUncheckedIndexedAccess every index read is `T | undefined`; after a
      // bounds-checked loop, `xs[i]!` says so plainly, where `as T` would hide it.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `_name`: a parameter an interface makes us take, or a part destructured away on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests match escape sequences on purpose: that is what they check.
      'no-control-regex': 'off',
      // `readJson<Report>(path)`: a typed view of a file the test just wrote.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['test/global-setup.js', 'eslint.config.js', 'jest.config.js'], languageOptions: { globals: { process: 'readonly', URL: 'readonly' } } },
  { files: ['action/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } } },
);
