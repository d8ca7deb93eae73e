/** The kiosk home: directory, config.json, trust.json, keys/, free space. */
import path from 'node:path';
import { ConfigError, parseConfig, type KioskConfig } from '../config.js';
import { parseTrustJson } from '../trust-store.js';
import { homePaths } from '../home.js';
import { fail, judgePrivate, ok, warn, type CheckResult, type DoctorContext, type DoctorEnv, type FileInfo, type Findings, type ServiceUser } from './types.js';

export async function checkHome(env: DoctorEnv, home: string, user: ServiceUser): Promise<CheckResult> {
  const info = await env.stat(home);
  if (!info?.isDirectory) return fail('home', `${home} does not exist`, `create it (install -d -o ${user.name} -m 0700 ${home}) or pass --home DIR`);
  return ok('home', `${home} exists`);
}

/** config.json: a missing file means defaults; an invalid one is reported issue by issue. */
export async function checkConfig(env: DoctorEnv, home: string): Promise<{ result: CheckResult; config?: Readonly<KioskConfig> }> {
  const file = homePaths(home).config;
  if (!(await env.stat(file))) {
    return { result: ok('config', `${file} absent: defaults in use`), config: parseConfig(undefined, { home }) };
  }
  try {
    const config = parseConfig(JSON.parse(await env.readFile(file)) as unknown, { home });
    return { result: ok('config', `${file} is valid`), config };
  } catch (err) {
    const why = err instanceof ConfigError ? err.message : `not JSON: ${(err as Error).message}`;
    return { result: fail('config', `${file}: ${why}`, `correct ${file}; device checks are skipped until it is valid`) };
  }
}

/** trust.json (PEM import); with enrolled platforms it is optional. */
export async function checkTrust(ctx: DoctorContext, enrolled = 0): Promise<CheckResult> {
  const file = homePaths(ctx.home).trust;
  const fix = 'enroll with the platform (kiosk provision enroll) or import its keys (kiosk provision import)';
  if (!(await ctx.env.stat(file))) {
    if (enrolled > 0) return ok('keys.trust', `no ${file}: ${enrolled} enrolled platform(s), none from PEM files`);
    return fail('keys.trust', `${file} missing and no enrolled platform: no platform is trusted, every coupon would be rejected`, fix);
  }
  try {
    const trust = parseTrustJson(JSON.parse(await ctx.env.readFile(file)) as unknown);
    if (trust.platforms.length === 0) return fail('keys.trust', `${file} lists no platforms`, fix);
    return ok('keys.trust', `${file}: ${trust.platforms.length} platform(s)`);
  } catch (err) {
    return fail('keys.trust', `${file}: ${(err as Error).message}`, fix);
  }
}

/**
 * keys/ 0700 and every *.pem 0600, both owned by the service user and not
 * symlinks (the service refuses them: device/merchant-keys.ts): a leaked or
 * swapped merchant key reads every coupon.
 */
export async function checkKeys(ctx: DoctorContext, enrolled = 0): Promise<CheckResult[]> {
  const { env, user } = ctx;
  const dir = homePaths(ctx.home).keys;
  const info = await env.stat(dir);
  if (!info?.isDirectory) {
    if (enrolled > 0) return [ok('keys.dir', `no ${dir}: the merchant keys come with the ${enrolled} enrolled platform(s)`)];
    return [fail('keys.dir', `${dir} missing: no merchant keys`, 'enroll with the platform (kiosk provision enroll) or import its keys (kiosk provision import)')];
  }
  const found: Findings = { problems: [], fixes: [] };
  const { problems, fixes } = found;
  const judge = (p: string, f: FileInfo, want: number): void => judgePrivate(p, f, want, user, found);
  judge(dir, info, 0o700);
  const pems = (await env.readdir(dir)).filter((n) => n.endsWith('.pem')).sort();
  for (const name of pems) {
    const f = path.join(dir, name);
    const fi = await env.stat(f);
    if (fi) judge(f, fi, 0o600);
  }
  const results: CheckResult[] = [];
  if (pems.length === 0 && enrolled === 0) results.push(fail('keys.files', `no merchant key (*.pem) in ${dir}`, 'enroll with the platform (kiosk provision enroll) or import its keys (kiosk provision import)'));
  else if (problems.length === 0) results.push(ok('keys.files', `${pems.length} merchant key(s), readable only by ${user.name}`));
  if (problems.length > 0) results.push(fail('keys.mode', problems.join('; '), fixes.join('\n')));
  return results;
}

export const DISK_WARN_BYTES = 200 * 2 ** 20;
export const DISK_FAIL_BYTES = 20 * 2 ** 20;

export async function checkDisk(ctx: DoctorContext): Promise<CheckResult> {
  const free = await ctx.env.freeBytes(ctx.home);
  const mb = (free / 2 ** 20).toFixed(0);
  const fix = 'free space on that filesystem (old logs: journalctl --vacuum-size=50M; export and archive the ledger)';
  if (free < DISK_FAIL_BYTES) return fail('disk', `only ${mb} MB free for ${ctx.home}: redemptions cannot be recorded safely`, fix);
  if (free < DISK_WARN_BYTES) return warn('disk', `${mb} MB free for ${ctx.home}`, fix);
  return ok('disk', `${mb} MB free for ${ctx.home}`);
}
