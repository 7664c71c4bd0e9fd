import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DB = ['knex', 'knex-pglite', 'pg', '@electric-sql/pglite'];
const dbMessage = 'Only server/fhir/storage talks to the database (DESIGN.md §5).';
const NO_DB = DB.map((name) => ({ name, message: dbMessage, allowTypeImports: true }));

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'profiles/**',
      'test/fixtures/**',
      'bench/results/**',
      'data/**',
      'scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Module boundaries. Type-only imports are allowed: they vanish at run time.
  {
    files: ['server/fhir/**/*.ts'],
    ignores: ['server/fhir/storage/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...NO_DB,
            {
              name: 'express',
              message: 'The FHIR core knows nothing of HTTP; express belongs in server/http.',
            },
          ],
          patterns: [{ group: ['**/http/**'], message: 'The FHIR core must not depend on the HTTP layer.' }],
        },
      ],
    },
  },
  {
    // The REST layer reaches the database only through the caller's AuthorizedStore: no
    // interaction can read or write around the access policy.
    files: ['server/fhir/rest/**/*.ts', 'server/fhir/bundle/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...NO_DB,
            {
              name: 'express',
              message: 'The FHIR core knows nothing of HTTP; express belongs in server/http.',
            },
          ],
          patterns: [
            { group: ['**/http/**'], message: 'The FHIR core must not depend on the HTTP layer.' },
            {
              group: ['**/storage/resource-store.ts', '**/storage/search-queries.ts', '**/access/**'],
              message:
                "Interactions use ctx.store (the caller's AuthorizedStore), never the raw store or the rules.",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Search and storage know nothing of who is calling: access rules reach them as conditions.
    files: ['server/fhir/search/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...NO_DB, { name: 'express', message: 'The FHIR core knows nothing of HTTP.' }],
          patterns: [
            { group: ['**/http/**'], message: 'The FHIR core must not depend on the HTTP layer.' },
            {
              regex: '^(\\.\\./)+(access|auth)/',
              message: 'Search knows nothing of callers; access rules reach it as conditions.',
            },
          ],
        },
      ],
    },
  },
  {
    // HL7 v2 ↔ FHIR mappings are pure functions of a message: no server, no database, no network.
    files: ['mappers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...NO_DB, { name: 'express', message: 'Mappers know nothing of HTTP.' }],
          patterns: [
            { group: ['**/server/**'], message: 'Mappers are pure: the server applies what they answer.' },
          ],
        },
      ],
    },
  },
  {
    // Access rules: conditions and in-memory twins over the FHIR core; no HTTP, no database.
    files: ['server/access/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...NO_DB, { name: 'express', message: 'Access rules know nothing of HTTP.' }],
          patterns: [
            {
              group: ['**/http/**', '**/rest/**', '**/bundle/**'],
              message: 'Access rules sit below the REST layer that applies them.',
            },
          ],
        },
      ],
    },
  },
  {
    // Who is calling is decided before what they may see: auth never reaches into access rules.
    files: ['server/auth/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NO_DB,
          patterns: [
            {
              regex: '^(\\.\\./)+access/',
              message: 'auth decides who is calling; access (above it) decides what they may see.',
            },
            { group: ['**/rest/**', '**/bundle/**'], message: 'auth sits below the REST layer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/fhir/storage/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'Storage knows nothing of HTTP.' }],
          patterns: [
            {
              group: ['**/http/**', '**/rest/**', '**/bundle/**'],
              message: 'Storage depends on nothing above it.',
            },
            {
              regex: '^(\\.\\./)+(access|auth)/',
              message: 'Storage knows nothing of callers or access rules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/http/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NO_DB,
          patterns: [
            {
              group: ['**/storage/*', '!**/storage/types.ts'],
              message: 'The HTTP layer reaches storage only through the REST interactions.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
