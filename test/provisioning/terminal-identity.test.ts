import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair, privateKeyToPem } from '../../coupon/index.js';
import { enrolledPlatformIds, loadTerminalIdentity, lookupTerminalIdentity, platformDir } from '../../provisioning/terminal-identity.js';
import { writeIdentity } from '../support/identity.js';

describe('provisioning/terminal-identity', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'kiosk-id-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('loads the enrollment and the Ed25519 terminal key, with its kid; unknown enrollment fields are allowed', () => {
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
    ['an enrollment others can write', (d) => chmodSync(path.join(d, 'enrollment.json'), 0o666), 'KEY_PERMISSIONS', /mode 666.*chmod 644/],
    [
      'a symlinked key',
      (d) => {
        writeFileSync(path.join(d, 'real.pem'), 'x', { mode: 0o600 });
        rmSync(path.join(d, 'terminal.pem'));
        symlinkSync(path.join(d, 'real.pem'), path.join(d, 'terminal.pem'));
      },
      'KEY_PERMISSIONS',
      /symbolic link/,
    ],
    ['a key that is not PEM', (d) => writeFileSync(path.join(d, 'terminal.pem'), 'nope', { mode: 0o600 }), 'KEY_INVALID', /not a PKCS#8/],
    [
      'an X25519 key',
      (d) => writeFileSync(path.join(d, 'terminal.pem'), privateKeyToPem(generateKeyPair('x25519').privateKey), { mode: 0o600 }),
      'KEY_INVALID',
      /must be Ed25519, got x25519/,
    ],
    ['an enrollment that is not JSON', (d) => writeFileSync(path.join(d, 'enrollment.json'), '{'), 'ENROLLMENT_INVALID', /not valid JSON/],
    [
      'an enrollment missing terminalId',
      (d) => writeFileSync(path.join(d, 'enrollment.json'), JSON.stringify({ platformId: 'p', merchantId: 'm', branchId: 'b' })),
      'ENROLLMENT_INVALID',
      /"terminalId" must be/,
    ],
    [
      'an enrollment of another platform',
      (d) => writeFileSync(path.join(d, 'enrollment.json'), JSON.stringify({ platformId: 'q', terminalId: 't', merchantId: 'm', branchId: 'b' })),
      'ENROLLMENT_INVALID',
      /says platformId "q" but lies in the folder of p/,
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

  it('refuses a key owned by another user', function () {
    if (process.getuid?.() !== 0) this.skip(); // only root can give a file away
    writeIdentity(home, 'p');
    chownSync(path.join(platformDir(home, 'p'), 'terminal.pem'), 12345, 12345);
    const r = lookupTerminalIdentity(home, 'p');
    assert.match(!r.ok ? r.message : '', /owned by uid 12345, not by the kiosk user/);
  });

  it('skips staging folders of an enrollment in progress', () => {
    writeIdentity(home, 'p');
    mkdirSync(path.join(home, 'platforms', '.staging-1234'));
    assert.deepEqual(enrolledPlatformIds(home), ['p']);
  });
});
