/**
 * The ledger, as doctor sees it: present and this home's own, not damaged,
 * and readable by the service user only. A lost or damaged ledger is a
 * failure with the restore steps: the kiosk refuses every scan until then.
 */
import { ledgerFiles } from '../home-ledger.js';
import { fail, octal, ok, type CheckResult, type DoctorContext, type LedgerInspection } from './types.js';

export function restoreSteps(home: string, file: string, user: string): string {
  return [
    'stop the kiosk: systemctl stop coupon-kiosk',
    `move what is left aside: for f in ${file}*; do mv "$f" "$f.broken"; done`,
    `restore the newest backup (kiosk ledger backup): install -m 600 -o ${user} BACKUP.sqlite ${file}`,
    'start it again: systemctl start coupon-kiosk, then kiosk doctor',
    `only if no backup exists: kiosk ledger reset --home ${home} --yes (coupons redeemed before could be accepted again)`,
  ].join('\n');
}

export function checkLedger(ctx: DoctorContext, ledger: LedgerInspection): CheckResult {
  const restore = (): string => restoreSteps(ctx.home, ledger.path, ctx.user.name);
  if (ledger.state === 'none') return ok('ledger', `no ledger yet at ${ledger.path}: the service creates it at its first start`);
  if (ledger.state === 'unavailable') {
    const why = `${ledger.code}: ${ledger.message}`;
    if (ledger.code === 'LEDGER_LOST' || ledger.code === 'LEDGER_CORRUPT') return fail('ledger', `the ledger is ${ledger.code === 'LEDGER_LOST' ? 'lost' : 'damaged'}: ${why}`, restore());
    return fail('ledger', `the ledger cannot be used: ${why}`, 'follow the advice after the dash; docs/operations.md lists every ledger code');
  }
  if (ledger.integrity !== 'ok') {
    const found = ledger.integrity.split('\n').slice(0, 3).join('; ');
    return fail('ledger', `${ledger.path} is damaged (integrity check: ${found})`, restore());
  }
  return ok('ledger', `${ledger.path} (ledger ${ledger.id ?? 'without identity yet'}): integrity ok`);
}

/** The home 0700 and the ledger 0600, owned by the service user: the ledger holds consumer ids. */
export async function checkModes(ctx: DoctorContext, ledger: LedgerInspection): Promise<CheckResult> {
  const { env, user } = ctx;
  const problems: string[] = [];
  const fixes: string[] = [];
  const judge = async (p: string, want: number): Promise<void> => {
    const info = await env.stat(p);
    if (!info || ((info.mode & 0o077) === 0 && info.uid === user.uid)) return;
    problems.push(`${p} is mode ${octal(info.mode)} owned by uid ${info.uid}`);
    fixes.push(`chown ${user.name} ${p} && chmod ${want.toString(8)} ${p}`);
  };
  await judge(ctx.home, 0o700);
  if (ledger.state !== 'none') for (const f of ledgerFiles(ledger.path)) await judge(f, 0o600);
  if (problems.length > 0) return fail('home.mode', `others may read the kiosk's data (consumer ids in the ledger): ${problems.join('; ')}`, fixes.join('\n'));
  return ok('home.mode', `${ctx.home} and the ledger are readable by ${user.name} only`);
}
