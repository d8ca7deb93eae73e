/**
 * The checks compiled at build time (tools/validators.ts, for the kiosk's
 * start path) are the run-time ones: the generated files are what the
 * schemas give today (not stale), every schema is declared for TypeScript,
 * and on valid files and on many broken ones both give the same result —
 * the same filled-in value, or the same issues by path, in the same words.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as payloadChecks from '../../protocol/generated/payload-validators.js';
import * as checks from '../../protocol/generated/validators.js';
import { payloadReader } from '../../protocol/json-payload.js';
import { jsonReader } from '../../protocol/payload-reader.js';
import { compileSchema } from '../../protocol/validate.js';
import { validatorOf, type CompiledCheck } from '../../protocol/validation.js';
import { GENERATED, generatedSource } from '../../tools/validators.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST_GENERATED = path.resolve(here, '../../protocol/generated');
const SOURCE_GENERATED = path.resolve(here, '../../../protocol/generated');
const COMPILED: Record<string, Record<string, CompiledCheck>> = { 'validators.js': checks, 'payload-validators.js': payloadChecks };

const KID = '0123456789abcdef';
const CTI = '00112233445566778899aabbccddeeff';
const TERMINAL = 't-0123456789abcdef';
const SYNC = { claimMode: 'online-preferred', claimTimeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86400, offlineMaxQuantity: 10, revocationMaxAgeS: 86400, reversalWindowS: 600 };
const REF = { terminalId: TERMINAL, branchId: 'b', scannedAt: 1, receivedAt: 2, offline: true };
/** A valid value of each schema, for the broken ones to start from. */
const SAMPLES: Record<string, unknown> = {
  kioskConfig: { terminalId: 'till-1', language: 'en', scanner: { driver: 'serial', serial: { vendorId: '0c2e', baudRate: 9600 } }, indicator: { gpio: { green: { name: 'LED' } } }, usb: { roots: ['/media'] } },
  trustJson: { platforms: [{ id: 'p', merchantId: 'm', keys: [{ kid: KID, alg: -8, publicKey: 'PEM', notBefore: 0, notAfter: 10 }] }] },
  homeRecord: { format: 1, ledger: { id: 'a'.repeat(32), path: 'ledger.sqlite', created: '2026-01-01T00:00:00Z' }, retired: [{ id: null, path: 'old', created: null, retiredAt: '2026-01-02T00:00:00Z', movedTo: null, reason: 'kiosk ledger reset' }] },
  enrollmentRecord: {
    format: 1, platformId: 'p-1', terminalId: 't-1', merchantId: 'm', branchId: 'b', url: 'https://p.example', tls: { mode: 'pin', pin: `sha256/${'A'.repeat(43)}=` },
    terminalKid: KID, wrapKid: KID, sync: { claimMode: 'offline' }, enrolledAt: 1, enrolledBy: 'token', trustAnchor: { mode: 'pinned', kid: KID }, document: 'AAAA',
    disabled: null, lastRefresh: { at: 1, platformTime: 2 },
  },
  trustRecord: { format: 1, seq: 1, issuedAt: 1, receivedAt: 2, document: 'AAAA' },
  trustBundle: { platformId: 'p', seq: 1, issuedAt: 1, keys: [{ kid: KID, alg: 'EdDSA', publicKey: 'PEM', notBefore: 1 }] },
  enrollmentDocument: { platformId: 'p', merchantId: 'm', branchId: 'b', terminalId: 't', terminalKid: KID, wrapKid: KID, sync: SYNC },
  merchantKeys: { keys: [{ kid: KID, kind: 'x25519', pkcs8: 'MC4CAQAwBQYDK2VuBCIEIA==' }, { kid: KID, kind: 'rsa', pkcs8: 'AAAA' }] },
  errorBody: { statusCode: 409, code: 'STALE_REQUEST', error: 'Conflict', message: 'created is 400 s old' },
  terminalStateResponse: {
    time: 1, terminalId: TERMINAL, enabled: true, sync: SYNC, trustSeq: 2, trust: 'AAAA', merchantKids: [KID], merchantKeys: 'AAAA',
    conflicts: [{ seq: 1, ctiHex: CTI, first: REF, second: { ...REF, offline: false } }], conflictsCursor: 1, conflictsMore: false,
  },
  revocationsResponse: { time: 1, revocations: [{ seq: 1, ctiHex: CTI, revokedAt: 5 }], cursor: 1, more: false },
  claimResponse: { time: 1, result: 'claimed', ctiHex: CTI, redemption: REF, repeated: false },
  uploadResponse: {
    time: 1,
    results: [
      { result: 'recorded', kind: 'redeem', ctiHex: CTI },
      { result: 'conflict', kind: 'redeem', ctiHex: CTI, first: REF },
      { result: 'revoked', kind: 'reverse', ctiHex: CTI, revokedAt: 3 },
      { result: 'refused', kind: 'redeem', ctiHex: CTI, code: 'SCAN_IN_FUTURE', message: 'scannedAt is ahead' },
    ],
  },
};

type Json = unknown;
/** Every path into a JSON value: keys and indices. */
function pathsOf(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...at, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...at, k]));
  return out;
}

/** `base` with one change at a path: a new value, the key gone, or an unknown key added. */
function mutated(base: Json, at: (string | number)[], op: 'set' | 'delete' | 'add', value: Json): Json {
  const copy = structuredClone(base) as Record<string | number, Json>;
  if (at.length === 0) return op === 'set' ? value : copy;
  let parent: Record<string | number, Json> = copy;
  for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = at[at.length - 1] as string | number;
  if (op === 'set') parent[last] = value;
  else if (op === 'delete' && !Array.isArray(parent)) delete parent[last];
  else if (typeof parent[last] === 'object' && parent[last] !== null && !Array.isArray(parent[last])) (parent[last] as Record<string, Json>)['zz'] = value;
  return copy;
}

/** Broken (and some still valid) variants of a sample, up to three changes each. */
function variants(base: Json): fc.Arbitrary<Json> {
  const paths = pathsOf(base);
  const change = fc.tuple(fc.constantFrom(...paths), fc.constantFrom('set' as const, 'delete' as const, 'add' as const), fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(change, { minLength: 1, maxLength: 3 }).map((cs) => cs.reduce((v, [at, op, value]) => (pathsOf(v).some((p) => p.join('/') === at.join('/')) ? mutated(v, at, op, value) : v), base)),
  );
}

describe('tools/validators: checks compiled at build time', () => {
  for (const mod of GENERATED) {
    it(`dist/protocol/generated/${mod.file} is what the schemas give today (not stale)`, () => {
      assert.equal(readFileSync(path.join(DIST_GENERATED, mod.file), 'utf8'), generatedSource(mod), 'run `npm run build`');
    });

    it(`protocol/generated/${mod.file.replace(/\.js$/, '.d.ts')} declares exactly its checks`, () => {
      const declared = [...readFileSync(path.join(SOURCE_GENERATED, mod.file.replace(/\.js$/, '.d.ts')), 'utf8').matchAll(/export declare const (\w+)/g)].map((m) => m[1]);
      assert.deepEqual(declared.sort(), Object.keys(mod.schemas).sort());
      assert.deepEqual(Object.keys(COMPILED[mod.file] ?? {}).sort(), Object.keys(mod.schemas).sort());
    });

    for (const [name, schema] of Object.entries(mod.schemas)) {
      const compiled = COMPILED[mod.file]?.[name];
      const sample = SAMPLES[name];
      it(`${name}: the same value or the same issues as the run-time check, valid and broken`, () => {
        assert.ok(compiled, `${mod.file} exports ${name}`);
        assert.ok(sample !== undefined, `a sample for ${name}`);
        const same =
          mod.file === 'validators.js'
            ? ((runtime, ahead) => (v: Json) => assert.deepEqual(ahead.validate(v), runtime.validate(v)))(compileSchema(schema), validatorOf(compiled))
            : ((runtime, ahead) => (v: Json) => assert.deepEqual(ahead.check(structuredClone(v)), runtime.check(structuredClone(v))))(payloadReader(schema, name), jsonReader(() => compiled, name));
        const valid = mod.file === 'validators.js' ? compileSchema(schema).validate(sample) : payloadReader(schema, name).check(sample);
        assert.ok(valid.ok, `the sample for ${name} is valid: ${JSON.stringify(valid)}`);
        same(sample);
        fc.assert(fc.property(variants(sample), (v) => same(v)), { numRuns: 300 });
      });
    }
  }
});
