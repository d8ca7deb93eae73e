/** Keys and messages shared by the protocol tests. */
import type { KeyObject } from 'node:crypto';
import { generateKeyPair, kidOf, toHex } from '../../coupon/keys.js';
import { ALG, type SignAlg } from '../../coupon/types.js';
import type { HttpRequestParts } from '../../protocol/http-message.js';
import { rsaPair } from '../coupon/fixtures.js';

export interface TestKey {
  kid: string;
  alg: SignAlg;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function edKey(): TestKey {
  const pair = generateKeyPair('ed25519');
  return { kid: toHex(kidOf(pair.publicKey)), alg: ALG.EdDSA, ...pair };
}

/** The n-th shared RSA-2048 key of this process, as a platform signing key. */
export function rsaKey(n = 0): TestKey {
  const pair = rsaPair(n);
  return { kid: toHex(kidOf(pair.publicKey)), alg: ALG.PS256, ...pair };
}

export function lookupOf(...keys: TestKey[]) {
  return (kid: string) => keys.find((k) => k.kid === kid);
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function postRequest(body = '{"serial":"7Q2K"}'): HttpRequestParts {
  return {
    method: 'POST',
    path: '/v1/terminal/redemptions',
    query: 'batch=1',
    headers: { 'content-type': 'application/json', host: 'platform.example' },
    body: utf8(body),
  };
}

export function getRequest(): HttpRequestParts {
  return { method: 'GET', path: '/v1/terminal/revocations', query: 'cursor=42', headers: { host: 'platform.example' }, body: undefined };
}
