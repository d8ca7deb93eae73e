/**
 * What `issue` and `batch` share: the key and claims flags, and turning them
 * into a function that seals one set of claims into coupon text.
 */
import { randomBytes } from 'node:crypto';
import { issueCoupon, kidOf, signAlgOf } from '../coupon/index.js';
import { ALG, type Claims, type ContentAlg } from '../coupon/types.js';
import type { Args, OptionSpecs } from './args.js';
import { CliError } from './cli-error.js';
import { readClaims, readJsonClaims, type ClaimsTemplate } from './claims-input.js';
import { readPrivateKey, readPublicKey } from './key-files.js';

export const DEFAULT_SERIAL_BYTES = 12;

export const ISSUE_OPTIONS: OptionSpecs = {
  'platform-key': { type: 'string' },
  'platform-id': { type: 'string' },
  'merchant-key': { type: 'string' },
  aud: { type: 'string' },
  sub: { type: 'string' },
  product: { type: 'string' },
  quantity: { type: 'string' },
  title: { type: 'string' },
  exp: { type: 'string' },
  nbf: { type: 'string' },
  iat: { type: 'string' },
  serial: { type: 'string' },
  'content-alg': { type: 'string' },
  json: { type: 'string' },
};

export const ISSUE_USAGE = `  --platform-key FILE.pem   platform signing private key (Ed25519 or RSA, PKCS#8)
  --platform-id P           issuer id (iss)
  --merchant-key FILE.pem   merchant PUBLIC key to encrypt to (X25519 or RSA, SPKI)
  --aud MERCHANT_ID         merchant id at this platform
  --sub CONSUMER --product ID --quantity N [--title T]
  --exp/--nbf/--iat T       Unix seconds, +SECONDS or ISO date (default iat now, exp +30 days)
  --serial HEX              8..32 bytes (default ${DEFAULT_SERIAL_BYTES} random bytes)
  --content-alg A128GCM|A256GCM   (default A256GCM)
  --json FILE|-             claims as JSON (iss, sub, aud, exp, nbf, iat, cti, product, quantity, title);
                            flags override its values`;

const CONTENT_ALGS: Record<string, ContentAlg> = { A128GCM: ALG.A128GCM, A256GCM: ALG.A256GCM };

export interface Issuer {
  template: ClaimsTemplate;
  /** seal claims (with a fresh serial when the template has none) into coupon text */
  issue(template: ClaimsTemplate): { text: string; claims: Claims };
}

function signer(file: string) {
  const privateKey = readPrivateKey(file, 'platform signing key', ['ed25519', 'rsa']);
  return { kid: kidOf(privateKey), alg: signAlgOf(privateKey), privateKey };
}

function recipient(file: string) {
  const publicKey = readPublicKey(file, 'merchant public key', ['x25519', 'rsa']);
  return { kid: kidOf(publicKey), publicKey };
}

function contentAlg(name: string | undefined): ContentAlg {
  if (name === undefined) return ALG.A256GCM;
  const alg = CONTENT_ALGS[name.toUpperCase()];
  if (alg === undefined) throw new CliError('USAGE', `--content-alg must be A128GCM or A256GCM, not '${name}'`);
  return alg;
}

export function createIssuer(args: Args, nowSeconds: number): Issuer {
  const json = args.has('json') ? readJsonClaims(args.required('json')) : {};
  const template = readClaims(args, json, nowSeconds);
  const options = {
    signer: signer(args.required('platform-key')),
    recipient: recipient(args.required('merchant-key')),
    contentAlg: contentAlg(args.str('content-alg')),
  };
  return {
    template,
    issue(t) {
      const claims: Claims = { ...t, cti: t.cti ?? Uint8Array.from(randomBytes(DEFAULT_SERIAL_BYTES)) };
      try {
        return { text: issueCoupon(claims, options), claims };
      } catch (err) {
        if ((err as { code?: string }).code === 'BAD_CLAIMS') throw new CliError('CLAIMS', (err as Error).message, { cause: err });
        throw err;
      }
    },
  };
}
