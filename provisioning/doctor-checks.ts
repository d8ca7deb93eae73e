/**
 * `kiosk doctor` on the enrolled platforms: each platform's folder and key
 * files private to the service user (no symlinks, the fix given), every file
 * loading as the service loads it, the trust bundle not stale, no key about
 * to run out, the terminal not disabled; and interrupted enrollments left in
 * platforms/. Plugged into runDoctor by the doctor command.
 */
import path from 'node:path';
import { fail, judgePrivate, ok, warn, type CheckResult, type DoctorContext, type Findings } from '../device/doctor/types.js';
import { credentialsDir } from './store/key-files.js';
import { ENROLLMENT_FILE, MERCHANT_KEYS_DIR, TERMINAL_KEY_FILE, TRUST_FILE, WRAP_KEY_FILE, platformDir } from './store/layout.js';
import { enrolledIds } from './store/load.js';
import { provisionStatus, type PlatformStatus } from './status.js';
import { stagingFolders } from './store/write.js';

export async function enrolledPlatformChecks(ctx: DoctorContext, opts: { nowMs?: number; credentials?: string | undefined } = {}): Promise<{ enrolled: number; results: CheckResult[] }> {
  const ids = enrolledIds(ctx.home);
  const credentials = 'credentials' in opts ? opts.credentials : credentialsDir();
  const status = provisionStatus(ctx.home, { nowMs: opts.nowMs ?? ctx.env.now(), credentials });
  const results: CheckResult[] = [];
  for (const id of ids) {
    results.push(await modeCheck(ctx, id));
    results.push(...platformChecks(ctx.home, status.platforms.find((p) => p.source === 'enrolled' && p.platformId === id)!));
  }
  const staging = stagingFolders(ctx.home);
  if (staging.length > 0) {
    results.push(warn('platforms.staging', `${staging.length} interrupted enrollment(s) in ${path.join(ctx.home, 'platforms')} (${staging.join(', ')}): their keys wait for a retry with the same token`, 'run the same kiosk provision enroll again, or delete the folder once the token is no longer needed'));
  }
  return { enrolled: ids.length, results };
}

/** The folder 0700 and every file 0600, the service user's, no symlinks. */
async function modeCheck(ctx: DoctorContext, id: string): Promise<CheckResult> {
  const { env, user } = ctx;
  const dir = platformDir(ctx.home, id);
  const found: Findings = { problems: [], fixes: [] };
  const { problems, fixes } = found;
  const files: [string, number][] = [[dir, 0o700], ...[ENROLLMENT_FILE, TRUST_FILE, TERMINAL_KEY_FILE, WRAP_KEY_FILE].map((f) => [path.join(dir, f), 0o600] as [string, number])];
  const keysDir = path.join(dir, MERCHANT_KEYS_DIR);
  files.push([keysDir, 0o700], ...(await env.readdir(keysDir)).map((n) => [path.join(keysDir, n), 0o600] as [string, number]));
  for (const [p, want] of files) {
    const info = await env.stat(p);
    if (info) judgePrivate(p, info, want, user, found);
  }
  if (problems.length > 0) return fail(`platforms.${id}.mode`, problems.join('; '), fixes.join('\n'));
  return ok(`platforms.${id}.mode`, `${dir}: readable by ${user.name} only`);
}

function platformChecks(home: string, p: PlatformStatus): CheckResult[] {
  const id = `platforms.${p.platformId}`;
  if (p.problem) return [fail(id, `${p.problem.code}: ${p.problem.message}`, `fix what the message says; or kiosk provision remove --home ${home} --platform ${p.platformId} --force and enroll again`)];
  const out = [ok(id, `terminal ${p.terminalId} of ${p.merchantId}: ${p.platformKeys.length} platform key(s), ${p.merchantKeys.length} merchant key(s), trust bundle ${p.trust!.seq}`)];
  if (p.disabled) out.push(fail(`${id}.disabled`, `the platform disabled terminal ${p.terminalId} on ${p.disabled.at}: ${p.disabled.message}`, `ask the platform to enable it (coupon-platform terminal enable --id ${p.terminalId}), then kiosk provision refresh --home ${home}; or enroll again`));
  if (p.trust!.stale) out.push(warn(`${id}.trust`, `trust bundle ${p.trust!.seq} was last confirmed ${p.trust!.checkedAt} (coupons still redeem)`, `kiosk provision refresh --home ${home} (or let the kiosk sync)`));
  const keyWarnings = p.warnings.filter((w) => w.includes('platform key'));
  if (keyWarnings.length > 0) out.push(warn(`${id}.keys`, keyWarnings.join('; '), `kiosk provision refresh --home ${home}`));
  return out;
}
