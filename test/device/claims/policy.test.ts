import assert from 'node:assert/strict';
import { claimAction } from '../../../device/claims/outcome.js';
import { claimPolicy, offlineAllowed, type ClaimPolicy } from '../../../device/claims/policy.js';
import { parseConfig } from '../../../device/config.js';

const CONFIG = { timeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86_400, offlineMaxQuantity: 10 };
const preferred = (over: Partial<ClaimPolicy> = {}): ClaimPolicy => ({ mode: 'online-preferred', timeoutMs: 1500, offlineMaxCount: 3, offlineMaxAgeS: 3600, offlineMaxQuantity: 5, ...over });
const NOW = Date.parse('2026-12-01T10:00:00Z');

describe('device/claims policy', () => {
  it('config.json: the claims section has defaults and every bad value is named', () => {
    assert.deepEqual(parseConfig({}, { home: '/tmp/h' }).claims, CONFIG);
    assert.throws(() => parseConfig({ claims: { timeoutMs: 5, offlineMaxCount: -1, offlineMaxQuantity: 'ten' } }, { home: '/tmp/h' }), (err: Error) => {
      for (const key of ['claims.timeoutMs', 'claims.offlineMaxCount', 'claims.offlineMaxQuantity']) assert.match(err.message, new RegExp(key.replace('.', '\\.')), err.message);
      return true;
    });
  });

  it('the merchant decides mode and timeout; the stricter offline limit wins; no mode is offline; an unknown mode fails closed', () => {
    assert.equal(claimPolicy(undefined, CONFIG).mode, 'offline');
    assert.equal(claimPolicy({}, CONFIG).mode, 'offline');
    assert.equal(claimPolicy({ claimMode: 'online-sometimes' }, CONFIG).mode, 'online-required');
    const p = claimPolicy({ claimMode: 'online-preferred', claimTimeoutMs: 800, offlineMaxCount: 500, offlineMaxAgeS: 600, offlineMaxQuantity: 2 }, CONFIG);
    assert.deepEqual(p, { mode: 'online-preferred', timeoutMs: 800, offlineMaxCount: 200, offlineMaxAgeS: 600, offlineMaxQuantity: 2 });
    assert.equal(claimPolicy({ claimMode: 'online-required', claimTimeoutMs: 'x' }, { ...CONFIG, timeoutMs: 900 }).timeoutMs, 900);
  });

  it('offline limits: count, age of the oldest unsent, quantity; online-required never', () => {
    assert.deepEqual(offlineAllowed(preferred(), { count: 2, oldestAt: NOW - 3600_000 }, 5, NOW), { ok: true });
    const count = offlineAllowed(preferred(), { count: 3, oldestAt: NOW }, 1, NOW);
    assert.equal(!count.ok && count.limit, 'count');
    const age = offlineAllowed(preferred(), { count: 1, oldestAt: NOW - 3601_000 }, 1, NOW);
    assert.equal(!age.ok && age.limit, 'age');
    assert.match(!age.ok ? age.message : '', /3601 s old: the limit is 3600 s/);
    const qty = offlineAllowed(preferred(), { count: 0, oldestAt: null }, 6, NOW);
    assert.equal(!qty.ok && qty.limit, 'quantity');
    assert.equal(offlineAllowed(preferred({ offlineMaxCount: 0 }), { count: 0, oldestAt: null }, 1, NOW).ok, false);
    assert.equal(offlineAllowed(preferred({ mode: 'online-required' }), { count: 0, oldestAt: null }, 1, NOW).ok, false);
  });

  it('the answer table: claimed records, elsewhere names branch and time, revoked, unknown and refused refuse without a release', () => {
    const ctx = { platformId: 'p', quantity: 1, nowMs: NOW, backlog: () => ({ count: 0, oldestAt: null }) };
    const ref = { terminalId: 't-9', branchId: 'south', scannedAt: NOW - 60_000, receivedAt: NOW - 59_000, offline: false };
    const ans = (response: unknown) => claimAction({ kind: 'answer', response: response as never }, preferred(), ctx);
    assert.deepEqual(ans({ time: NOW, result: 'claimed', ctiHex: 'aa', redemption: ref, repeated: true }), { do: 'record', marks: { offline: false, claim: 'claimed' }, note: 'claimed again (this terminal held it already)' });
    const elsewhere = ans({ time: NOW, result: 'already-redeemed', ctiHex: 'aa', first: ref });
    assert.equal(elsewhere.do, 'elsewhere');
    assert.match(elsewhere.do === 'elsewhere' ? elsewhere.message : '', /branch south \(terminal t-9\) at 2026-12-01T09:59:00.000Z/);
    assert.equal(ans({ time: NOW, result: 'revoked', ctiHex: 'aa', revokedAt: NOW - 1 }).do, 'revoked');
    assert.deepEqual(ans({ time: NOW, result: 'unknown', ctiHex: 'aa' }), { do: 'refuse', reason: 'PLATFORM_REFUSED', message: 'p did not issue this coupon to this merchant', detail: 'UNKNOWN_COUPON', release: false });
    const refused = ans({ time: NOW, result: 'refused', ctiHex: 'aa', code: 'SCAN_IN_FUTURE', message: 'clock' });
    assert.equal(refused.do === 'refuse' && refused.detail, 'SCAN_IN_FUTURE');
    const none = { kind: 'no-answer', code: 'TIMEOUT', message: 'slow' } as const;
    const req = claimAction(none, preferred({ mode: 'online-required' }), ctx);
    assert.equal(req.do === 'refuse' && req.reason, 'OFFLINE_CANNOT_REDEEM');
    assert.equal(req.do === 'refuse' && req.release, true);
    assert.deepEqual(claimAction(none, preferred(), ctx), { do: 'record', marks: { offline: true, claim: 'unanswered' }, note: 'accepted offline: p did not answer the claim (TIMEOUT: slow)' });
    const full = claimAction(none, preferred(), { ...ctx, backlog: () => ({ count: 3, oldestAt: NOW }) });
    assert.deepEqual(full.do === 'refuse' && [full.reason, full.detail, full.release], ['OFFLINE_LIMIT_REACHED', 'max 3 offline', true]);
  });
});
