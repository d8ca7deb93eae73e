/**
 * The kiosk never loads the platform service's packages (docs/architecture.md):
 * PGlite alone holds 0.4–0.8 GB, and a Raspberry Pi has little to spare. The
 * lint forbids the static imports; this runs the kiosk's commands under a
 * module-resolution hook that fails on them, which also catches dynamic and
 * transitive imports. `kiosk start` loads no schema compiler either: its
 * checks are compiled at build time (tools/validators.ts). undici (the HTTP
 * client, ~110 files) loads only when a command talks to a platform.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issue, makeKeys, removeDir, tempDir, writeKeyFiles } from './helpers.js';
import { KIOSK_CLI } from './spawn-kiosk.js';

const PLATFORM_ONLY = /^(fastify|@fastify\/|pg$|pg\/|pg-|@electric-sql\/pglite)/;
/** typebox (200–350 ms to load on a Pi) and ajv: the start path uses the checks compiled at build time */
const SCHEMA_COMPILERS = /^(typebox|ajv|ajv-formats)(\/|$)/;

function importHook(refused: RegExp, what: string): string {
  const hook = `export async function resolve(s, c, next) {
  if (${refused.toString()}.test(s)) throw new Error('${what} loaded by the kiosk: ' + s);
  return next(s, c);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(hook))});`;
  return 'data:text/javascript,' + encodeURIComponent(register);
}
/** undici: a third of a kiosk command's start-up, loaded by the first platform transport (sync/transport/tls.ts) */
const HTTP_CLIENT = /^undici(\/|$)/;

const IMPORT_HOOK = importHook(PLATFORM_ONLY, 'platform package');
const SCHEMA_HOOK = importHook(SCHEMA_COMPILERS, 'schema compiler');
const HTTP_HOOK = importHook(HTTP_CLIENT, 'http client');

function run(script: string[], input = '', hook = IMPORT_HOOK): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', hook, ...script], {
    input,
    encoding: 'utf8',
    env: { ...process.env, KIOSK_LOG_LEVEL: 'warn' },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('kiosk start-up path', function () {
  this.timeout(60_000);
  let dir: string;
  let home: string;
  const keys = makeKeys();

  before(() => {
    dir = tempDir();
    home = path.join(dir, 'home');
    const f = writeKeyFiles(dir, keys);
    const r = run([KIOSK_CLI, 'provision', 'import', '--home', home, '--platform-id', 'test-platform', '--platform-key', f.platformPub, '--merchant-id', 'test-merchant', '--merchant-key', f.merchantKey]);
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => removeDir(dir));

  it('the hook itself refuses a platform package (the control)', () => {
    const r = run(['--input-type=module', '-e', `await import('fastify')`]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /platform package loaded by the kiosk: fastify/);
  });

  const commands: [string, string[], string?][] = [
    ['redeem', ['redeem', '--home', '$HOME', '-'], 'coupon'],
    ['start --simulate', ['start', '--home', '$HOME', '--simulate', '--display', 'none', '--json'], 'coupon'],
    ['status', ['status', '--home', '$HOME', '--json']],
    ['ledger list', ['ledger', 'list', '--home', '$HOME', '--json']],
    ['doctor', ['doctor', '--home', '$HOME', '--json']],
  ];
  for (const [name, args, input] of commands) {
    it(`kiosk ${name} loads none of fastify, pg, PGlite`, () => {
      const r = run([KIOSK_CLI, ...args.map((a) => (a === '$HOME' ? home : a))], input ? issue(keys) + '\n' : '');
      assert.doesNotMatch(r.stderr, /platform package loaded/);
      if (name !== 'doctor') assert.equal(r.status, 0, r.stderr); // doctor may fail checks on a build machine
    });
  }

  it('the schema hook refuses typebox and ajv (the control)', () => {
    for (const pkg of ['typebox', 'ajv']) {
      const r = run(['--input-type=module', '-e', `await import('${pkg}')`], '', SCHEMA_HOOK);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, new RegExp(`schema compiler loaded by the kiosk: ${pkg}`));
    }
  });

  it('with no platform to talk to, kiosk redeem, status and start load no HTTP client (undici)', () => {
    const control = run(['--input-type=module', '-e', `await import('undici')`], '', HTTP_HOOK);
    assert.match(control.stderr, /http client loaded by the kiosk: undici/);
    for (const [name, args, input] of commands.filter(([n]) => n !== 'doctor')) {
      const r = run([KIOSK_CLI, ...args.map((a) => (a === '$HOME' ? home : a))], input ? issue(keys) + '\n' : '', HTTP_HOOK);
      assert.doesNotMatch(r.stderr, /http client loaded/, name);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    }
  });

  const start = (): string[] => [KIOSK_CLI, 'start', '--home', home, '--simulate', '--display', 'none', '--json'];

  it('kiosk start --simulate loads neither typebox nor ajv', () => {
    const r = run(start(), issue(keys) + '\n', SCHEMA_HOOK);
    assert.doesNotMatch(r.stderr, /schema compiler loaded/);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"event":"verdict"/);
  });

  it('without them, kiosk start still names every problem of a bad config.json', () => {
    const config = path.join(home, 'config.json');
    writeFileSync(config, JSON.stringify({ verdictScreenMs: 5, display: { ssd1306: { address: 'x' } }, colour: 'red' }));
    try {
      const r = run(start(), '', SCHEMA_HOOK);
      assert.doesNotMatch(r.stderr, /schema compiler loaded/);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /verdictScreenMs: must be an integer from 200 to 600000 \(got 5\)/);
      assert.match(r.stderr, /display\.ssd1306\.address: must be an integer from 3 to 119 \(got "x"\)/);
      assert.match(r.stderr, /colour: unknown key \(known: terminalId, language, ledgerPath, verdictScreenMs, scanner, display, indicator, usb, sync, claims\)/);
    } finally {
      rmSync(config);
    }
  });
});
