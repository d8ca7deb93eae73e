import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { verifyCoupon } from '../../coupon/index.js';
import { DEMO_MERCHANT_ID, demoFiles, demoInstructions, ensureDemoHome, issueDemoCoupon } from '../../device/demo.js';
import { loadHome } from '../../device/home.js';
import { removeDir, tempDir } from './helpers.js';

describe('device/demo', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  it('creates demo keys once; demo coupons verify against the demo home', () => {
    const home = path.join(dir, '.kiosk-demo');
    assert.equal(ensureDemoHome(home), true);
    const keys = readdirSync(path.join(home, 'keys'));
    assert.equal(ensureDemoHome(home), false);
    assert.deepEqual(readdirSync(path.join(home, 'keys')), keys);
    assert.equal(statSync(demoFiles(home).platformKey).mode & 0o777, 0o600);
    const loaded = loadHome(home);
    assert.equal(loaded.config.terminalId, 'demo-kiosk');
    const text = issueDemoCoupon(home);
    const result = verifyCoupon(text, loaded.keyring, Math.floor(Date.now() / 1000));
    assert.equal(result.reason, 'VALID');
    assert.equal(result.claims?.aud, DEMO_MERCHANT_ID);
  });

  it('the instructions name the platform CLI with the demo key files and include a coupon', () => {
    const home = path.join(dir, 'h');
    ensureDemoHome(home);
    const text = demoInstructions(home, 'COUPON-TEXT');
    assert.match(text, /node dist\/platform\/cli\.js issue --platform-key \S+platform-ed25519\.pem/);
    assert.match(text, /--merchant-key \S+merchant-x25519\.pub\.pem --aud demo-merchant/);
    assert.match(text, /COUPON-TEXT/);
  });
});
