// Lint gate: type-aware rules that catch what kiosk code must never do
// (a floating promise is a silently lost error on a device nobody watches),
// and the layers of docs/architecture.md (a lower layer never imports a higher one).
import tseslint from 'typescript-eslint';

/** The platform service's own packages: never on the kiosk's start-up path (PGlite alone holds 0.4–0.8 GB). */
const PLATFORM_PACKAGES = ['fastify', '@fastify/*', 'pg', '@electric-sql/pglite'];
const folder = (name) => [`**/${name}/**`, `${name}/**`];
/** device/logger.js is a leaf (it imports only pino): every layer may take a logger. */
const except = ['!**/device/logger.js'];

/** files → folders (and packages) they must not import */
const LAYERS = [
  { files: ['coupon/**/*.ts'], deny: ['protocol', 'drivers', 'device', 'provisioning', 'sync', 'platform'], packages: PLATFORM_PACKAGES },
  { files: ['protocol/**/*.ts'], deny: ['drivers', 'device', 'provisioning', 'sync', 'platform'], packages: PLATFORM_PACKAGES },
  { files: ['drivers/**/*.ts'], deny: ['protocol', 'device', 'provisioning', 'sync', 'platform'], packages: PLATFORM_PACKAGES },
  {
    files: ['device/**/*.ts'],
    ignores: ['device/main.ts', 'device/main-usb.ts', 'device/main-claims.ts', 'device/demo.ts', 'device/cli/**'],
    deny: ['provisioning', 'sync', 'platform'],
    packages: PLATFORM_PACKAGES,
  },
  // sync/ may use provisioning/'s key store; provisioning/ takes the transport injected (protocol/exchange.ts)
  { files: ['provisioning/**/*.ts'], deny: ['platform', 'sync', 'device/cli', 'device/main.js', 'device/main-usb.js', 'device/main-claims.js'], packages: PLATFORM_PACKAGES },
  { files: ['sync/**/*.ts'], deny: ['platform', 'device/cli', 'device/main.js', 'device/main-usb.js', 'device/main-claims.js'], packages: PLATFORM_PACKAGES },
  { files: ['device/main.ts', 'device/main-usb.ts', 'device/main-claims.ts', 'device/demo.ts', 'device/cli/**/*.ts'], deny: ['platform'], packages: PLATFORM_PACKAGES },
  { files: ['platform/**/*.ts'], deny: ['drivers', 'device', 'provisioning', 'sync'], packages: [] },
];

function layerRule({ files, ignores, deny, packages }) {
  const group = deny.flatMap((d) => (d.endsWith('.js') ? [`**/${d}`] : folder(d))).concat(except);
  const patterns = [{ group, message: 'a lower layer never imports a higher one (docs/architecture.md)' }];
  if (packages.length > 0) patterns.push({ group: packages, message: 'platform-only package: keep it off the kiosk (docs/architecture.md)' });
  return { files, ...(ignores ? { ignores } : {}), rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.kiosk-demo/**', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'no exclusive tests' },
        { object: 'describe', property: 'only', message: 'no exclusive tests' },
      ],
    },
  },
  ...LAYERS.map(layerRule),
);
