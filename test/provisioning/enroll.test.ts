/**
 * Enrollment against a platform in memory that can lie: every check of the
 * answer (pinned key, signatures, documents, kids, sealed keys) and every
 * refusal leaves the home as it was; a lost answer is retried with the same
 * keys. The honest platform is the real service: enroll-service.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ALG, issueCoupon, kidOf, privateKeyToPem, publicKeyToPem, toHex, verifyCoupon } from '../../coupon/index.js';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { ProvisionError } from '../../provisioning/errors.js';
import { loadHomeKeys } from '../../provisioning/home-keys.js';
import { importKeys } from '../../provisioning/import.js';
import { loadPlatform } from '../../provisioning/store/load.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { FakePlatform, signingKey } from './fake-platform.js';
import { URL_A, bookkeeping, enrollFake, picture } from './helpers.js';

const refusedWith = (code: string) => (err: unknown) => err instanceof ProvisionError && err.code === code;

/** A coupon of the fake platform: signed with its first key, encrypted to its first merchant key. */
function coupon(fake: FakePlatform): string {
  const s = fake.keys[0]!;
  const m = fake.merchantKeys[0]!;
  const now = Math.floor(Date.now() / 1000);
  return issueCoupon(
    { iss: fake.platformId, sub: 'u', aud: fake.merchantId, iat: now - 10, exp: now + 3600, cti: randomBytes(12), product: 'p', quantity: 1 },
    { signer: { kid: kidOf(s.publicKey), alg: ALG.EdDSA, privateKey: s.privateKey }, recipient: { kid: m.kid, publicKey: createPublicKey(m.privateKey) } },
  );
}

describe('provisioning/enroll (a platform in memory)', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = tempDir('enroll-');
    home = path.join(dir, 'home');
  });
  afterEach(() => removeDir(dir));

  it('pinned: installs the platform whole, 0700/0600, and its coupons verify with the home keyring', async () => {
    const fake = new FakePlatform();
    const { run } = enrollFake(fake, home);
    const o = await run();
    assert.equal(o.platformId, 'fake-platform');
    assert.deepEqual(o.anchor, { mode: 'pinned', kid: fake.kid });
    assert.equal(o.merchantKids[0], toHex(fake.merchantKeys[0]!.kid));
    const dirOf = path.join(home, 'platforms', 'fake-platform');
    assert.equal(statSync(dirOf).mode & 0o777, 0o700);
    for (const f of ['enrollment.json', 'trust-bundle.json', 'terminal.pem', 'wrap.pem', `keys/merchant-${o.merchantKids[0]}.pem`]) assert.equal(statSync(path.join(dirOf, f)).mode & 0o777, 0o600, f);
    const record = JSON.parse(readFileSync(path.join(dirOf, 'enrollment.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['platformId', 'terminalId', 'merchantId', 'branchId']) assert.equal(typeof record[k], 'string', k);
    assert.equal(record['url'], URL_A);
    assert.equal(record['terminalKid'], o.terminalKid);
    assert.deepEqual(bookkeeping(home), ['.generation'], 'the staging folder became the platform');
    const keys = loadHomeKeys(home, { credentials: undefined });
    assert.equal(verifyCoupon(coupon(fake), keys.snapshot.keyring, Math.floor(Date.now() / 1000)).reason, 'VALID');
    assert.equal(loadPlatform(home, 'fake-platform', { credentials: undefined }).terminalKey.kid, o.terminalKid);
  });

  it('no expectation: trusted on first use, said so in the outcome', async () => {
    const fake = new FakePlatform();
    const o = await enrollFake(fake, home, { expectPlatformKid: undefined }).run();
    assert.deepEqual(o.anchor, { mode: 'first-use', kid: fake.kid });
    assert.match(o.platformKeys[0]!.fingerprint, new RegExp(`^${fake.kid}[0-9a-f]{48}$`));
  });

  it('a man in the middle (another platform answers) is refused when the kid is pinned; nothing written', async () => {
    const real = new FakePlatform('meituan-01');
    const mitm = new FakePlatform('meituan-01');
    const before = picture(home);
    await assert.rejects(enrollFake(mitm, home, { expectPlatformKid: real.kid }).run(), (err: unknown) => refusedWith('PLATFORM_KEY_MISMATCH')(err) && /not the expected/.test((err as Error).message));
    assert.deepEqual(picture(home), before);
    assert.deepEqual(bookkeeping(home), [], 'the keys made for this attempt are gone');
  });

  it('a relayed trust bundle with the pinned key, but an answer signed by another key, is refused', async () => {
    const fake = new FakePlatform();
    fake.answerSigners = [signingKey()];
    await assert.rejects(enrollFake(fake, home).run(), (err: unknown) => refusedWith('PLATFORM_KEY_MISMATCH')(err) && /not signed by the expected key/.test((err as Error).message));
    assert.deepEqual(picture(home), []);
  });

  it('an answer that does not check out is refused, nothing written: a document for another terminal, keys sealed elsewhere, a bundle not signed by its pinned key', async () => {
    const cases: [string, (f: FakePlatform) => void, RegExp][] = [
      ['other terminal', (f) => (f.tamperBody = (b) => void (b['enrollment'] = Buffer.from(f.enrollmentDocument({ terminalId: 't-0', terminalKid: '00'.repeat(8), wrapKid: '11'.repeat(8) })).toString('base64'))), /names terminal key 0000000000000000/],
      ['sealed elsewhere', (f) => (f.tamperBody = (b) => void (b['merchantKeys'] = f.sealedKeys(generateKeyPairSync('x25519').publicKey))), /do not open with this enrollment's transport key/],
      ['bundle signed by a stranger', (f) => (f.tamperBody = (b) => void (b['trust'] = Buffer.from(f.trustDocument([signingKey()])).toString('base64'))), /not signed by/],
      ['not JSON of the schema', (f) => (f.tamperBody = (b) => void delete b['time']), /time/],
    ];
    for (const [what, tamper, message] of cases) {
      const fake = new FakePlatform();
      tamper(fake);
      await assert.rejects(enrollFake(fake, home).run(), (err: unknown) => err instanceof ProvisionError && message.test(err.message), what);
      assert.deepEqual(picture(home), [], what);
      assert.deepEqual(bookkeeping(home), [], what);
    }
  });

  it('unknown and used tokens are refused with their codes; nothing written', async () => {
    const fake = new FakePlatform();
    const unknown = enrollFake(fake, home, { token: 'x'.repeat(32) });
    await assert.rejects(unknown.run(), (err: unknown) => refusedWith('TOKEN_UNKNOWN')(err) && /make a new one/.test((err as Error).message));
    const token = fake.token();
    await new FakePlatformUser(fake).use(token);
    await assert.rejects(enrollFake(fake, home, { token }).run(), refusedWith('TOKEN_USED'));
    assert.deepEqual(picture(home), []);
    assert.deepEqual(bookkeeping(home), []);
  });

  it('a lost answer: the error says to retry; the same command sends the same key and the platform answers again', async () => {
    const fake = new FakePlatform();
    const token = fake.token();
    fake.loseAnswer = true;
    await assert.rejects(enrollFake(fake, home, { token }).run(), /no answer .*run the same command again/);
    assert.deepEqual(picture(home).filter((p) => !p.startsWith('platforms ')), [], 'nothing enrolled');
    assert.equal(bookkeeping(home).filter((n) => n.startsWith('.staging-')).length, 1, 'the keys wait for the retry');
    fake.loseAnswer = false;
    const o = await enrollFake(fake, home, { token }).run();
    assert.equal(o.reusedKeys, true);
    assert.equal(fake.terminals.length, 1, 'one terminal: the same key twice');
    assert.equal(o.terminalId, fake.terminals[0]!.terminalId);
  });

  it('a second platform goes beside the first with its own terminal identity; the same URL again is refused before the token is spent', async () => {
    const a = new FakePlatform('plat-a', 'shop-a');
    const b = new FakePlatform('plat-b', 'shop-b');
    const oa = await enrollFake(a, home).run();
    const ob = await enrollFake(b, home, { endpoint: { url: 'http://127.0.0.1:10', tls: { mode: 'system' } } }).run();
    assert.notEqual(oa.terminalKid, ob.terminalKid);
    const keys = loadHomeKeys(home, { credentials: undefined }).snapshot.keyring;
    assert.deepEqual(keys.platforms.map((p) => [p.platformId, p.merchantId]), [['plat-a', 'shop-a'], ['plat-b', 'shop-b']]);
    assert.equal(keys.merchantKeys.length, 2);
    const requests = a.requests;
    await assert.rejects(enrollFake(a, home).run(), refusedWith('ALREADY_ENROLLED'));
    assert.equal(a.requests, requests, 'refused before sending');
    const sameId = new FakePlatform('plat-a');
    await assert.rejects(enrollFake(sameId, home, { endpoint: { url: 'http://127.0.0.1:11', tls: { mode: 'system' } } }).run(), (err: unknown) => refusedWith('ALREADY_ENROLLED')(err) && /disable it there/.test((err as Error).message));
  });

  it('a home whose keys do not load is refused before the token is spent', async () => {
    const a = new FakePlatform('plat-a');
    await enrollFake(a, home).run();
    chmodSync(path.join(home, 'platforms/plat-a/wrap.pem'), 0o644);
    const b = new FakePlatform('plat-b');
    await assert.rejects(enrollFake(b, home, { endpoint: { url: 'http://127.0.0.1:12', tls: { mode: 'system' } } }).run(), /token is kept.*wrap\.pem has mode 644/);
    assert.equal(b.requests, 0);
  });

  it('a platform id already in trust.json (PEM import) is refused; PEM import refuses an enrolled id', async () => {
    const fake = new FakePlatform('meituan-01');
    const legacy = signingKey();
    const m = new FakePlatform().merchantKeys[0]!;
    importKeys({ home, platformId: 'meituan-01', platformKeyPem: publicKeyToPem(legacy.publicKey), merchantId: 'shop-1', merchantKeyPem: privateKeyToPem(m.privateKey) });
    const before = picture(home);
    await assert.rejects(enrollFake(fake, home).run(), (err: unknown) => refusedWith('PLATFORM_CONFLICT')(err) && /trust.json/.test((err as Error).message));
    assert.deepEqual(picture(home), before);
    const other = new FakePlatform('other-02');
    await enrollFake(other, home).run();
    assert.throws(() => importKeys({ home, platformId: 'other-02', platformKeyPem: publicKeyToPem(legacy.publicKey), merchantId: 'x', merchantKeyPem: privateKeyToPem(m.privateKey) }), /PLATFORM_CONFLICT|enrolled in this home/);
    assert.ok(!existsSync(path.join(home, 'platforms', 'meituan-01')));
  });
});

/** Another device that takes a token first. */
class FakePlatformUser {
  constructor(private readonly fake: FakePlatform) {}
  async use(token: string): Promise<void> {
    const other = tempDir('enroll-other-');
    try {
      await enrollFake(this.fake, path.join(other, 'home'), { token }).run();
    } finally {
      removeDir(other);
    }
  }
}
