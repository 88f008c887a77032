import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers point one way (README, "Layout"): http → services → db, domain imported by all.
// `(#src/|(../)+)` catches both the subpath and the relative spelling of a layer.
const layer = (names) => `^(#src/|(\\.\\./)+)(${names})/`;
const httpNeverData = [
  { regex: layer('db'), message: 'Routes see services, never data: call a use case (UseCases).' },
];
const httpGetsUseCases = [
  {
    regex: '^#src/services/(deps|index)\\.ts$',
    message: 'Routes receive UseCases (services/use-cases.ts), never the dependency bag.',
  },
];
const journeysStandAlone = [
  {
    // From src/http/journeys/<a>/: `../<b>/…` is another journey (`../../…` is src/http/).
    regex: '^(\\.\\./(?!\\.\\./)[^/]+/|#src/http/journeys/)',
    message: 'A journey never imports another: share through src/http/steps/ or a service.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'test-results/', 'playwright-report/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'] },
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      // Fastify's plugin and hook contract is "async function", whether or not it awaits.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...httpNeverData, ...httpGetsUseCases] }],
    },
  },
  {
    // Inside a journey's folder; the area files beside them (index.ts, authenticated-area.ts)
    // are what lists the journeys.
    files: ['src/http/journeys/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...httpNeverData, ...httpGetsUseCases, ...journeysStandAlone] },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: layer('db|http|services|notifications'),
              message: 'The domain is pure: no database, HTTP, services or messages.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: layer('services|http'), message: 'Data access never calls up a layer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: layer('http'), message: 'Services never know about HTTP.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'eslint.config.js', 'playwright.config.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { document: 'readonly' } },
  },
);
