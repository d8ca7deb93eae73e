/**
 * What our profile (docs/protocol.md) demands of a Signature-Input member,
 * beyond RFC 9421 itself: exactly these covered components, in this order,
 * and exactly these parameters. Anything else is refused rather than
 * tolerated, so one request has one meaning. A missing component or
 * parameter is SIGNATURE_MISSING; anything present but wrong is
 * SIGNATURE_INVALID.
 */
import { serializeItem, type BareItem, type InnerList, type Parameters } from 'structured-headers';

export const REQUEST_TAG = 'coupon-kiosk/1';
export const RESPONSE_TAG = 'coupon-platform/1';

const REQUEST_IDS = ['"@method"', '"@path"', '"@query"'];
const BODY_IDS = ['"content-digest"', '"content-type"'];
/** base64url of 16 bytes, unpadded */
const NONCE = /^[A-Za-z0-9_-]{22}$/;
const KID = /^[0-9a-f]{16}$/;

type Problem = { ok: false; code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID'; message: string };
export type ProfileResult = { ok: true } | Problem;
export type RequestProfile = { ok: true; kid: string; created: number; nonce: string; coversBody: boolean } | (Problem & { kid?: string });

/** A parameter's check: undefined when the value is right, else what is wrong with it. */
type ParamRule = (value: BareItem) => string | undefined;

const isCreated: ParamRule = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : 'must be a non-negative integer');
const isKid: ParamRule = (v) => (typeof v === 'string' && KID.test(v) ? undefined : 'must be a string of 16 lowercase hex digits');
const equals =
  (expected: string): ParamRule =>
  (v) =>
    v === expected ? undefined : `must be "${expected}"`;

function checkParams(label: string, actual: Parameters, rules: Record<string, ParamRule>): ProfileResult {
  for (const name of Object.keys(rules)) {
    if (!actual.has(name)) return { ok: false, code: 'SIGNATURE_MISSING', message: `signature ${label} lacks the ;${name} parameter` };
  }
  for (const [name, value] of actual) {
    const rule = rules[name];
    if (rule === undefined) return { ok: false, code: 'SIGNATURE_INVALID', message: `signature ${label} has the ;${name} parameter, which the profile does not use` };
    const problem = rule(value);
    if (problem !== undefined) return { ok: false, code: 'SIGNATURE_INVALID', message: `signature ${label}: ;${name} ${problem}` };
  }
  return { ok: true };
}

function checkComponents(label: string, input: InnerList, required: string[], allowed: string[][]): ProfileResult {
  const ids = input[0].map((item) => serializeItem(item));
  const missing = required.find((id) => !ids.includes(id));
  if (missing !== undefined) return { ok: false, code: 'SIGNATURE_MISSING', message: `signature ${label} does not cover ${missing}` };
  if (!allowed.some((list) => list.length === ids.length && list.every((id, i) => ids[i] === id))) {
    const expected = allowed.map((list) => `(${list.join(' ')})`).join(' or ');
    return { ok: false, code: 'SIGNATURE_INVALID', message: `signature ${label} covers (${ids.join(' ')}); the profile covers ${expected}` };
  }
  return { ok: true };
}

/** The `kiosk` signature of a terminal request; one with a non-empty body must cover its digest and type. */
export function checkRequestProfile(input: InnerList, hasBody: boolean): RequestProfile {
  const keyid = input[1].get('keyid');
  const kid = typeof keyid === 'string' && KID.test(keyid) ? { kid: keyid } : {};
  const withBody = [...REQUEST_IDS, ...BODY_IDS];
  const components = checkComponents('kiosk', input, hasBody ? withBody : REQUEST_IDS, [REQUEST_IDS, withBody]);
  if (!components.ok) return { ...components, ...kid };
  const rules = { created: isCreated, nonce: (v: BareItem) => (typeof v === 'string' && NONCE.test(v) ? undefined : 'must be 16 bytes in unpadded base64url'), keyid: isKid, alg: equals('ed25519'), tag: equals(REQUEST_TAG) };
  const checked = checkParams('kiosk', input[1], rules);
  if (!checked.ok) return { ...checked, ...kid };
  return { ok: true, created: input[1].get('created') as number, nonce: input[1].get('nonce') as string, coversBody: input[0].length > REQUEST_IDS.length, kid: keyid as string };
}

/** A `p-<kid>` signature of a platform answer, made with a key whose HTTP alg is `alg`. */
export function checkResponseProfile(input: InnerList, expectedIds: string[], kid: string, alg: string): ProfileResult {
  const label = `p-${kid}`;
  const components = checkComponents(label, input, expectedIds, [expectedIds]);
  if (!components.ok) return components;
  return checkParams(label, input[1], { created: isCreated, keyid: equals(kid), alg: equals(alg), tag: equals(RESPONSE_TAG) });
}
