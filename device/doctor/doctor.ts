/** One doctor run: every check in order, then a report for people or for scripts. */
import { checkNtp, checkTrustedTime } from './clock-checks.js';
import { checkConfig, checkDisk, checkHome, checkKeys, checkTrust } from './home-checks.js';
import { checkI2c, checkScanner } from './device-checks.js';
import { checkGpio } from './gpio-checks.js';
import { checkLedger, checkModes } from './ledger-checks.js';
import { warn, type CheckResult, type DoctorContext, type DoctorEnv, type LedgerInspection } from './types.js';
import { SERVICE_USER, resolveServiceUser } from './user.js';

/** Checks of the enrolled platforms (provisioning/doctor-checks.ts), plugged in by the doctor command. */
export type PlatformChecks = (ctx: DoctorContext) => Promise<{ enrolled: number; results: CheckResult[] }>;

export async function runDoctor(env: DoctorEnv, home: string, userName = SERVICE_USER, platformChecks?: PlatformChecks): Promise<CheckResult[]> {
  const { user, result: userResult } = await resolveServiceUser(env, userName);
  const homeResult = await checkHome(env, home, user);
  if (homeResult.status === 'fail') return [userResult, homeResult];
  const { result: configResult, config } = await checkConfig(env, home);
  const ctx: DoctorContext = { env, home, user, config };
  const platforms = platformChecks ? await platformChecks(ctx) : { enrolled: 0, results: [] };
  const results: CheckResult[] = [userResult, homeResult, configResult, await checkTrust(ctx, platforms.enrolled), ...(await checkKeys(ctx, platforms.enrolled)), ...platforms.results];
  if (config) {
    const ledger: LedgerInspection = await env.inspectLedger(home, config);
    results.push(checkLedger(ctx, ledger), await checkModes(ctx, ledger));
    results.push(await checkScanner(ctx), ...(await checkI2c(ctx)), ...(await checkGpio(ctx)), checkTrustedTime(ctx, ledger), await checkNtp(ctx));
  } else {
    results.push(warn('devices', 'scanner, display, GPIO and clock not checked', 'fix config.json first'));
  }
  results.push(await checkDisk(ctx));
  return results;
}

export function failed(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}

const MARK = { ok: '✔', warn: '!', fail: '✘' } as const;

/** One line per check, the fix indented under it. */
export function formatReport(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.id.padEnd(14)} ${r.message}`);
    if (r.fix && r.status !== 'ok') for (const f of r.fix.split('\n')) lines.push(`    fix: ${f}`);
  }
  const count = (s: CheckResult['status']): number => results.filter((r) => r.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed`);
  return lines.join('\n') + '\n';
}
