/**
 * Applying the terminal state (provisioning/apply-state.ts) through a pull
 * (sync/terminal-state.ts) from a platform in memory: trust updates signed
 * by a trusted key (and only those; no rollback), merchant keys delivered to
 * the wrap key and retired when no longer listed, the platform time raising
 * the floor, a signed disable deleting the keys, an unsigned one ignored.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { toHex } from '../../coupon/index.js';
import { memoryLogger } from '../../device/logger.js';
import { applyState } from '../../provisioning/apply-state.js';
import { loadHomeKeys } from '../../provisioning/home-keys.js';
import { loadPlatform } from '../../provisioning/store/load.js';
import type { Exchange } from '../../protocol/exchange.js';
import { pullState } from '../../sync/terminal-state.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { FakePlatform, merchantKey, signingKey } from './fake-platform.js';
import { enrollFake } from './helpers.js';

describe('provisioning/apply-state through a pull (a platform in memory)', () => {
  let dir: string;
  let home: string;
  let fake: FakePlatform;
  let raised: [number, string][];
  beforeEach(async () => {
    dir = tempDir('state-');
    home = path.join(dir, 'home');
    fake = new FakePlatform('plat', 'shop');
    await enrollFake(fake, home).run();
    raised = [];
  });
  afterEach(() => removeDir(dir));

  const pull = (exchange: Exchange = fake.exchange) => {
    const { logger, lines } = memoryLogger('debug');
    const platform = loadPlatform(home, 'plat', { credentials: undefined });
    const raiseTime = (t: number, source: string) => (raised.push([t, source]), t);
    return pullState({ home, platform, logger, raiseTime, transport: { exchange } }).then((r) => ({ r, lines }));
  };
  const merchantFiles = () => readdirSync(path.join(home, 'platforms/plat/keys')).sort();

  it('a rotation: the newer bundle, signed by the key trusted now, is applied; the platform time raises the floor', async () => {
    const next = signingKey();
    fake.keys = [fake.keys[0]!, next];
    fake.seq = 2;
    const { r } = await pull();
    assert.ok(r.ok);
    assert.equal(r.applied.trust.outcome, 'applied');
    assert.equal(r.applied.trust.seq, 2);
    const keyring = loadHomeKeys(home, { credentials: undefined }).snapshot.keyring;
    assert.ok(keyring.platformKeyByHex(next.kid), 'the new key is trusted');
    assert.equal(raised.length, 1);
    assert.equal(raised[0]![1], 'platform-time:plat');
    assert.ok(Math.abs(raised[0]![0] - Date.now() / 1000) < 5);
    const generation = readFileSync(path.join(home, 'platforms/.generation'), 'utf8');
    const record = readFileSync(path.join(home, 'platforms/plat/enrollment.json'), 'utf8');
    const again = await pull();
    assert.ok(again.r.ok && again.r.applied.trust.outcome === 'same', 'an equal seq is a no-op');
    assert.equal(again.r.applied.changed, false);
    assert.equal(readFileSync(path.join(home, 'platforms/.generation'), 'utf8'), generation, 'nothing to reload');
    assert.equal(readFileSync(path.join(home, 'platforms/plat/enrollment.json'), 'utf8'), record, 'no write (an fsync) for a state that changes nothing');
    assert.equal(raised.length, 2, 'the platform time still raises the floor');
  });

  it('an answer signed only by an unknown key is ignored; a bundle not signed by a trusted key is not applied; a lower seq is refused (no rollback)', async () => {
    const trusted = fake.keys[0]!;
    const stranger = signingKey();
    fake.keys = [stranger];
    fake.seq = 5;
    const ignored = await pull();
    assert.ok(!ignored.r.ok);
    assert.equal(ignored.r.code, 'ANSWER_UNVERIFIED');
    assert.ok(ignored.lines.some((l) => /ignored/.test(String(l['msg']))), 'logged');
    fake.answerSigners = [trusted]; // the answer verifies, the bundle inside it does not
    const unverified = await pull();
    assert.ok(unverified.r.ok);
    assert.equal(unverified.r.applied.trust.outcome, 'unverified-refused');
    assert.equal(loadPlatform(home, 'plat', { credentials: undefined }).trust.seq, 1);
    fake.answerSigners = undefined;
    fake.keys = [trusted, signingKey()];
    fake.seq = 3;
    const rotated = await pull();
    assert.ok(rotated.r.ok && rotated.r.applied.trust.outcome === 'applied');
    fake.seq = 2;
    fake.tamperBody = (b) => void (b['trust'] = Buffer.from(fake.trustDocument()).toString('base64'));
    const older = await pull();
    assert.ok(older.r.ok);
    assert.equal(older.r.applied.trust.outcome, 'rollback-refused');
    assert.ok(older.lines.some((l) => /no rollback/.test(String(l['msg']))));
    assert.equal(loadPlatform(home, 'plat', { credentials: undefined }).trust.seq, 3);
  });

  it('a new merchant key arrives sealed to the wrap key; a key no longer listed is deleted', async () => {
    const old = fake.merchantKeys[0]!;
    const fresh = merchantKey();
    fake.merchantKeys = [fresh, old];
    const first = await pull();
    assert.ok(first.r.ok);
    assert.deepEqual(first.r.applied.merchantKeys.added, [toHex(fresh.kid)]);
    assert.deepEqual(merchantFiles(), [`merchant-${toHex(fresh.kid)}.pem`, `merchant-${toHex(old.kid)}.pem`].sort());
    fake.merchantKeys = [fresh];
    const second = await pull();
    assert.ok(second.r.ok);
    assert.deepEqual(second.r.applied.merchantKeys.dropped, [toHex(old.kid)]);
    assert.deepEqual(merchantFiles(), [`merchant-${toHex(fresh.kid)}.pem`]);
  });

  it('a signed 403 TERMINAL_DISABLED deletes the merchant keys and records why; an enabled answer brings them back', async () => {
    fake.terminals[0]!.enabled = false;
    const { r } = await pull();
    assert.ok(r.ok && r.applied.disabled);
    assert.deepEqual(merchantFiles(), []);
    const snap = loadHomeKeys(home, { credentials: undefined }).snapshot;
    assert.equal(snap.disabled.length, 1);
    assert.match(snap.disabled[0]!.message, /disabled/);
    assert.equal(snap.keyring.merchantKeys.length, 0);
    fake.terminals[0]!.enabled = true;
    const back = await pull();
    assert.ok(back.r.ok && !back.r.applied.disabled);
    assert.equal(merchantFiles().length, 1);
    assert.equal(loadHomeKeys(home, { credentials: undefined }).snapshot.disabled.length, 0);
  });

  it('an unsigned 403 TERMINAL_DISABLED is ignored: the keys stay', async () => {
    fake.terminals[0]!.enabled = false;
    const { r, lines } = await pull(async (req, opts) => {
      const a = await fake.exchange(req, opts);
      return { ...a, headers: { 'content-type': 'application/json' } };
    });
    assert.ok(!r.ok);
    assert.equal(r.code, 'ANSWER_UNVERIFIED');
    assert.equal(merchantFiles().length, 1);
    assert.ok(lines.some((l) => l['level'] === 40 && /ignored/.test(String(l['msg']))));
  });

  it('applying to a platform removed meanwhile is NOT_ENROLLED, and writes nothing', async () => {
    removeDir(path.join(home, 'platforms/plat'));
    await assert.rejects(applyState({ home, platformId: 'plat', logger: memoryLogger().logger }, { kind: 'disabled', message: 'x', signedAtMs: undefined }), /NOT_ENROLLED|not enrolled/);
    assert.ok(!existsSync(path.join(home, 'platforms/plat')));
  });
});

