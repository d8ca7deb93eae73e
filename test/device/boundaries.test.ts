/**
 * The kiosk never loads the platform service's packages (docs/architecture.md):
 * PGlite alone holds 0.4–0.8 GB, and a Raspberry Pi has little to spare. The
 * lint forbids the static imports; this runs the kiosk's commands under a
 * module-resolution hook that fails on them, which also catches dynamic and
 * transitive imports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { issue, makeKeys, removeDir, tempDir, writeKeyFiles } from './helpers.js';
import { KIOSK_CLI } from './spawn-kiosk.js';

const PLATFORM_ONLY = /^(fastify|@fastify\/|pg$|pg\/|pg-|@electric-sql\/pglite)/;
const HOOK = `export async function resolve(s, c, next) {
  if (${PLATFORM_ONLY.toString()}.test(s)) throw new Error('platform package loaded by the kiosk: ' + s);
  return next(s, c);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(HOOK))});`;
const IMPORT_HOOK = 'data:text/javascript,' + encodeURIComponent(REGISTER);

function run(script: string[], input = ''): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', IMPORT_HOOK, ...script], {
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
});
