import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair, privateKeyToPem } from '../../coupon/index.js';
import { enrolledPlatformIds, loadTerminalIdentity, lookupTerminalIdentity, platformDir } from '../../provisioning/terminal-identity.js';
import { writeIdentity } from '../support/identity.js';
import { needsRoot } from '../support/root.js';

function editRecord(dir: string, change: (r: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'enrollment.json');
  const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(r);
  writeFileSync(file, JSON.stringify(r), { mode: 0o600 });
}

describe('provisioning/terminal-identity', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'kiosk-id-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('loads the enrollment and the Ed25519 terminal key, with its kid (through the key store\'s loader)', () => {
    const { kid } = writeIdentity(home, 'meituan-01');
    const id = loadTerminalIdentity(home, 'meituan-01');
    assert.equal(id.terminalId, 'term-meituan-01');
    assert.equal(id.merchantId, 'm-1');
    assert.equal(id.branchId, 'b-1');
    assert.equal(id.kid, kid);
    assert.equal(id.privateKey.asymmetricKeyType, 'ed25519');
    assert.deepEqual(enrolledPlatformIds(home), ['meituan-01']);
  });

  it('says NO_TERMINAL_IDENTITY for a platform that was never enrolled', () => {
    const r = lookupTerminalIdentity(home, 'pem-only');
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'NO_TERMINAL_IDENTITY');
    assert.match(!r.ok ? r.message : '', /pem-only has no terminal key/);
  });

  const refusals: [string, (dir: string) => void, string, RegExp][] = [
    ['a key others can read', (d) => chmodSync(path.join(d, 'terminal.pem'), 0o644), 'KEY_PERMISSIONS', /mode 644.*chmod 600/],
    ['a folder others can enter', (d) => chmodSync(d, 0o755), 'KEY_PERMISSIONS', /mode 755.*chmod 700/],
    ['an enrollment others can write', (d) => chmodSync(path.join(d, 'enrollment.json'), 0o666), 'KEY_PERMISSIONS', /mode 666; others must not change.*chmod 600/],
    [
      'a symlinked key',
      (d) => {
        writeFileSync(path.join(d, 'real.pem'), 'x', { mode: 0o600 });
        rmSync(path.join(d, 'terminal.pem'));
        symlinkSync(path.join(d, 'real.pem'), path.join(d, 'terminal.pem'));
      },
      'KEY_PERMISSIONS',
      /terminal\.pem is a symlink/,
    ],
    ['a key that is not PEM', (d) => writeFileSync(path.join(d, 'terminal.pem'), 'nope', { mode: 0o600 }), 'KEY_INVALID', /not a PKCS#8/],
    [
      'an X25519 key',
      (d) => writeFileSync(path.join(d, 'terminal.pem'), privateKeyToPem(generateKeyPair('x25519').privateKey), { mode: 0o600 }),
      'KEY_INVALID',
      /must be an ed25519 key, is x25519/,
    ],
    ['an enrollment that is not JSON', (d) => writeFileSync(path.join(d, 'enrollment.json'), '{'), 'ENROLLMENT_INVALID', /enrollment\.json: not JSON/],
    [
      'an enrollment missing terminalId',
      (d) => editRecord(d, (r) => delete r['terminalId']),
      'ENROLLMENT_INVALID',
      /terminalId: is required/,
    ],
    [
      'an enrollment of another platform',
      (d) => editRecord(d, (r) => (r['platformId'] = 'q')),
      'ENROLLMENT_INVALID',
      /says platformId 'q' but lies in the folder of p/,
    ],
    [
      'an enrollment naming another terminal than the platform signed',
      (d) => editRecord(d, (r) => (r['terminalId'] = 'term-other')),
      'ENROLLMENT_INVALID',
      /terminalId differ from the signed enrollment document/,
    ],
  ];
  for (const [what, spoil, code, message] of refusals) {
    it(`refuses ${what} (${code})`, () => {
      writeIdentity(home, 'p');
      spoil(platformDir(home, 'p'));
      const r = lookupTerminalIdentity(home, 'p');
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.code, code);
      assert.match(!r.ok ? r.message : '', message);
    });
  }

  it('refuses a key owned by another user, to the kiosk user (root reads what it finds)', function () {
    needsRoot(this); // only root can give a file away
    writeIdentity(home, 'p');
    chmodSync(home, 0o755);
    execFileSync('chown', ['-R', '4243:4243', path.join(home, 'platforms')]);
    chownSync(path.join(platformDir(home, 'p'), 'terminal.pem'), 12345, 12345);
    const child = spawnSync(process.execPath, ['-e', `
      process.setgid(4243); process.setuid(4243);
      import(${JSON.stringify(new URL('../../provisioning/terminal-identity.js', import.meta.url).href)}).then((m) => console.log(JSON.stringify(m.lookupTerminalIdentity(${JSON.stringify(home)}, 'p', { credentials: undefined }))));
    `]);
    assert.match(child.stdout.toString(), /KEY_PERMISSIONS.*owned by uid 12345, not by uid 4243.*chown 4243/);
  });

  it('skips staging folders of an enrollment in progress', () => {
    writeIdentity(home, 'p');
    mkdirSync(path.join(home, 'platforms', '.staging-1234'));
    assert.deepEqual(enrolledPlatformIds(home), ['p']);
  });
});
