/**
 * enrollment.json and trust-bundle.json of an enrolled platform: read with
 * every problem named (schemas: record-schema.ts), written 0600 atomically.
 *
 * enrollment.json (format 1):
 *   { "format": 1, "platformId", "terminalId", "merchantId", "branchId",
 *     "url": "https://…" | null, "tls": {"mode":"system"} | {"mode":"ca","ca":PEM} | {"mode":"pin","pin":"sha256/…"},
 *     "terminalKid", "wrapKid", "sync": {claimMode, limits…},
 *     "enrolledAt": ms, "enrolledBy": "token" | "bundle",
 *     "trustAnchor": {"mode": "pinned" | "first-use", "kid"},
 *     "document": base64 of the signed enrollment document,
 *     "disabled": null | {"at": ms, "code", "message"},
 *     "lastRefresh": null | {"at": ms, "platformTime": ms} }
 *
 * trust-bundle.json (format 1): { "format": 1, "seq", "issuedAt", "receivedAt", "document": base64 }
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../device/atomic-write.js';
import { HomeError } from '../../device/home-error.js';
import { enrollmentRecord, trustRecord } from '../../protocol/generated/validators.js';
import { validatorOf } from '../../protocol/validation.js';
import type { EnrollmentRecord, TrustRecord } from './record-schema.js';

export type { EnrollmentRecord, TrustRecord } from './record-schema.js';

const enrollmentValidator = validatorOf<EnrollmentRecord>(enrollmentRecord);
const trustValidator = validatorOf<TrustRecord>(trustRecord);

function readChecked<T>(file: string, validator: { validate(raw: unknown): { ok: true; value: Readonly<T> } | { ok: false; issues: { path: string; message: string }[] } }): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not JSON (${(err as Error).message})`;
    throw new HomeError('ENROLLMENT_INVALID', `${file}: ${why}`, { cause: err });
  }
  const result = validator.validate(raw);
  if (!result.ok) throw new HomeError('ENROLLMENT_INVALID', `${file}: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return structuredClone(result.value) as T;
}

export function readEnrollmentRecord(file: string): EnrollmentRecord {
  return readChecked<EnrollmentRecord>(file, enrollmentValidator);
}

export function readTrustRecord(file: string): TrustRecord {
  return readChecked<TrustRecord>(file, trustValidator);
}

export function writeRecord(file: string, value: EnrollmentRecord | TrustRecord): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', 0o600);
}
