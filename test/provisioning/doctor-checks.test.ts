/** `kiosk doctor` on enrolled platforms: what is fine, stale, about to expire, disabled, broken or left over, each with its fix. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { realDoctorEnv } from '../../device/doctor/env.js';
import type { CheckResult, DoctorContext } from '../../device/doctor/types.js';
import { enrolledPlatformChecks } from '../../provisioning/doctor-checks.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { FakePlatform, signingKey } from './fake-platform.js';
import { enrollFake } from './helpers.js';

describe('provisioning/doctor-checks', () => {
  let dir: string;
  let home: string;
  let ctx: DoctorContext;
  const byId = async () => new Map((await enrolledPlatformChecks(ctx, { credentials: undefined })).results.map((r) => [r.id, r] as [string, CheckResult]));
  const edit = (file: string, change: (v: Record<string, unknown>) => void) => {
    const f = path.join(home, 'platforms/plat', file);
    const v = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
    change(v);
    writeFileSync(f, JSON.stringify(v), { mode: 0o600 });
  };
  beforeEach(() => {
    dir = tempDir('doctor-p-');
    home = path.join(dir, 'home');
    const uid = process.getuid!();
    ctx = { env: realDoctorEnv(), home, user: { name: 'me', uid, gids: [process.getgid!()] }, config: undefined };
  });
  afterEach(() => removeDir(dir));

  it('a healthy platform is ok; a stale bundle warns with the refresh; a disabled terminal fails with the way back', async () => {
    await enrollFake(new FakePlatform('plat', 'shop'), home).run();
    let r = await byId();
    assert.equal(r.get('platforms.plat')!.status, 'ok');
    assert.equal(r.get('platforms.plat.mode')!.status, 'ok');
    assert.equal((await enrolledPlatformChecks(ctx, { credentials: undefined })).enrolled, 1);
    edit('trust-bundle.json', (v) => void (v['receivedAt'] = Date.now() - 10 * 86_400_000));
    r = await byId();
    assert.equal(r.get('platforms.plat.trust')!.status, 'warn');
    assert.match(r.get('platforms.plat.trust')!.fix!, /kiosk provision refresh/);
    edit('enrollment.json', (v) => void (v['disabled'] = { at: Date.now(), code: 'TERMINAL_DISABLED', message: 'stolen' }));
    r = await byId();
    assert.equal(r.get('platforms.plat.disabled')!.status, 'fail');
    assert.match(r.get('platforms.plat.disabled')!.fix!, /coupon-platform terminal enable --id t-/);
  });

  it('the last platform key about to expire warns; a platform that does not load fails; an interrupted enrollment warns', async () => {
    const fake = new FakePlatform('plat', 'shop');
    fake.keys = [signingKey(Date.now() + 2 * 86_400_000)];
    await enrollFake(fake, home).run();
    let r = await byId();
    assert.equal(r.get('platforms.plat.keys')!.status, 'warn');
    assert.match(r.get('platforms.plat.keys')!.message, /last valid platform key expires/);
    edit('enrollment.json', (v) => void (v['wrapKid'] = '0000000000000000'));
    mkdirSync(path.join(home, 'platforms/.staging-0123456789abcdef'), { mode: 0o700 });
    r = await byId();
    assert.equal(r.get('platforms.plat')!.status, 'fail');
    assert.match(r.get('platforms.plat')!.message, /ENROLLMENT_INVALID/);
    assert.equal(r.get('platforms.staging')!.status, 'warn');
  });
});
