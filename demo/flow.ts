/**
 * The whole patent flow, step by step, each step a row of the report: the
 * platform issues, the kiosks redeem offline-capable but online-preferred,
 * the results travel back by network and by USB stick.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { suiteOf, tamper } from './coupons.js';
import { BRANCHES, BRANCH_NAMES, MERCHANT, OTHER_MERCHANT, PLATFORM_ID, type Branch, type Ctx } from './context.js';
import { DemoKiosk, enrollKiosk, kioskCli, type ScannerKind } from './kiosks.js';
import { DemoPlatform, type IssueRequest } from './platform.js';
import type { Report } from './table.js';
import { after, syncRow } from './flow-after.js';
import { describeVerdict, mismatch, type Expectation } from './verdicts.js';


/** Runs every step into `report`; the platform and kiosks are stopped on the way out, whatever happened. */
export async function runFlow(work: string, report: Report): Promise<void> {
  mkdirSync(path.join(work, 'qr'), { recursive: true });
  let platform: DemoPlatform;
  try {
    platform = await DemoPlatform.start(work, PLATFORM_ID);
    report.add('start the platform service (coupon-platform serve, PGlite in a temp dir)', 'listening on loopback', platform.url, true);
  } catch (err) {
    report.failed('start the platform service (coupon-platform serve, PGlite in a temp dir)', 'listening on loopback', err);
    return;
  }
  const ctx: Ctx = { work, report, platform, enrolled: {} as Ctx['enrolled'], kiosks: {}, coupons: {} };
  try {
    if (!(await setUp(ctx))) return;
    await scans(ctx);
    await after(ctx);
  } finally {
    for (const k of Object.values(ctx.kiosks)) await k.stop();
    await platform.stop();
  }
}

async function setUp(ctx: Ctx): Promise<boolean> {
  const p = ctx.platform;
  const ok =
    (await ctx.report.must(`merchant ${MERCHANT} (online-preferred) with branches north and south`, 'claim mode online-preferred, 2 branches', async () => {
      const m = await p.adminJson<{ sync: { claimMode: string } }>(['merchant', 'add', '--id', MERCHANT, '--name', 'Demo Hotpot', '--claim', 'online-preferred']);
      for (const b of BRANCH_NAMES) await p.admin(['branch', 'add', '--merchant', MERCHANT, '--id', b]);
      return `claim mode ${m.sync.claimMode}, branches ${BRANCH_NAMES.join(', ')}`;
    })) &&
    (await ctx.report.must(`another merchant, ${OTHER_MERCHANT}`, 'added', async () => {
      await p.admin(['merchant', 'add', '--id', OTHER_MERCHANT, '--name', 'Another Shop']);
      return 'added';
    })) &&
    (await enrollBoth(ctx)) &&
    (await issueAll(ctx)) &&
    (await startKiosks(ctx));
  return ok;
}

/** Both kiosks at once, as two technicians would. */
function enrollBoth(ctx: Ctx): Promise<boolean> {
  return ctx.report.mustAll(BRANCH_NAMES.map((branch) => ({
    step: `kiosk ${branch}: kiosk provision enroll --setup-code (temp home)`,
    expected: `enrolled at branch ${branch}, claim mode online-preferred`,
    fn: async () => {
      const e = await enrollKiosk(path.join(ctx.work, `kiosk-${branch}`), await ctx.platform.setupCode(MERCHANT, branch), `demo-${branch}`);
      ctx.enrolled[branch] = e;
      if (e.branchId !== branch || e.claimMode !== 'online-preferred') throw new Error(`enrolled at branch ${e.branchId}, claim mode ${String(e.claimMode)}`);
      return `terminal ${e.terminalId} at branch ${e.branchId}, claim mode ${e.claimMode}`;
    },
  })));
}

const HOTPOT = { merchant: MERCHANT, product: 'hotpot-set-2', quantity: 1, title: 'Hotpot set for two' };
/** The Ed25519/X25519 suite, issued before the rotation */
const FIRST: IssueRequest[] = [
  { name: 'hotpot', ...HOTPOT },
  { name: 'refunded', ...HOTPOT },
  { name: 'expired', ...HOTPOT, iat: '-7200', exp: '-3600' },
  { name: 'elsewhere', merchant: OTHER_MERCHANT, product: 'noodles', quantity: 1, title: 'Noodles at another shop' },
];
/** The RSA suite, issued after both keys were rotated to RSA */
const SECOND: IssueRequest[] = [{ name: 'rsa-tea', merchant: MERCHANT, product: 'tea-set', quantity: 2, title: 'Tea set (RSA suite)' }];

async function issueAll(ctx: Ctx): Promise<boolean> {
  for (const req of FIRST) if (!(await issueOne(ctx, req, 'X25519'))) return false;
  const p = ctx.platform;
  const rotated = await ctx.report.must('rotate the platform key and the merchant key to RSA', 'current keys: RSA signing key, RSA merchant key', async () => {
    const keys = await p.adminJson<{ keys: Array<{ alg: string; notAfter: string | null }> }>(['keys', 'rotate', '--kind', 'rsa']);
    const m = await p.adminJson<{ keys: Array<{ kind: string; retiredAt: string | null }> }>(['merchant', 'rotate-key', '--id', MERCHANT, '--key', 'rsa']);
    const signing = keys.keys.find((k) => k.notAfter === null)?.alg;
    const merchant = m.keys.find((k) => k.retiredAt === null)?.kind;
    if (signing !== 'PS256' || merchant !== 'rsa') throw new Error(`current signing key ${String(signing)}, merchant key ${String(merchant)}`);
    return `current keys: ${signing} signing key, ${merchant} merchant key (the old ones stay for their coupons)`;
  });
  if (!rotated) return false;
  for (const req of SECOND) if (!(await issueOne(ctx, req, 'RSA'))) return false;
  return ctx.report.mustAll(BRANCH_NAMES.map((branch) => ({
    step: `kiosk provision refresh (${branch}): the new platform and merchant keys`,
    expected: 'refreshed, exit 0',
    fn: async () => {
      const r = await kioskCli(['provision', 'refresh', '--home', ctx.enrolled[branch].home]);
      if (r.status !== 0) throw new Error(`exit ${String(r.status)}: ${r.stderr.trim()}`);
      return `exit 0: ${r.stdout.trim().split('\n')[0] ?? ''}`;
    },
  })));
}

async function issueOne(ctx: Ctx, req: IssueRequest, suite: 'X25519' | 'RSA'): Promise<boolean> {
  const step = `issue "${req.name}" for ${req.merchant}${req.exp ? ' (expired an hour ago)' : ''} as a QR PNG, read it back with jsQR`;
  const expected = `${suite} suite; jsQR reads exactly the issued text`;
  try {
    const c = await ctx.platform.issue(req);
    ctx.coupons[req.name] = c;
    const got = suiteOf(c.decoded);
    const same = c.decoded === c.text;
    const actual = `${got} suite, serial ${c.serial}, QR version ${c.qrVersion}, ${c.text.length} chars, ${same ? 'identical' : 'DIFFERENT text'}`;
    return ctx.report.add(step, expected, actual, same && got === suite);
  } catch (err) {
    return ctx.report.failed(step, expected, err);
  }
}

async function startKiosks(ctx: Ctx): Promise<boolean> {
  for (const [branch, scanner] of Object.entries(BRANCHES) as [Branch, ScannerKind][]) {
    const ok = await ctx.report.must(`kiosk ${branch}: kiosk start --json (${scanner} scanner; screen and LEDs simulated)`, 'scanner connected', async () => {
      const k = await DemoKiosk.start(branch, ctx.enrolled[branch], scanner, ctx.work);
      ctx.kiosks[branch] = k;
      return `scanner connected: ${k.describe}`;
    });
    if (!ok) return false;
  }
  return true;
}

/** Scan one text at a kiosk and judge the verdict; returns the verdict event (or undefined when none came). */
export async function scanRow(ctx: Ctx, branch: Branch, what: string, text: string, want: Expectation): Promise<Record<string, unknown> | undefined> {
  const kiosk = ctx.kiosks[branch]!;
  const step = `${branch} (${kiosk.scanner}) scans ${what}`;
  try {
    const v = await kiosk.scan(text);
    const diff = mismatch(v, want);
    ctx.report.add(step, want.text, describeVerdict(v) + (diff ? ` [${diff}]` : ''), diff === undefined);
    return v;
  } catch (err) {
    ctx.report.failed(step, want.text, err);
    return undefined;
  }
}

async function scans(ctx: Ctx): Promise<void> {
  const c = ctx.coupons;
  const hotpot = c['hotpot']!;
  const first = await scanRow(ctx, 'north', '"hotpot"', hotpot.decoded, { reason: 'ACCEPTED', serial: hotpot.serial, claimedOnline: true, text: 'ACCEPTED, claimed online' });
  const firstAt = typeof first?.['at'] === 'string' ? first['at'] : new Date().toISOString();
  await scanRow(ctx, 'north', '"hotpot" again (same branch)', hotpot.decoded, { reason: 'ALREADY_REDEEMED', serial: hotpot.serial, first: { at: firstAt }, text: `ALREADY_REDEEMED, first used here at ${firstAt}` });
  const north = ctx.enrolled.north;
  await scanRow(ctx, 'south', '"hotpot" (the other branch; platform up)', hotpot.decoded, {
    reason: 'ALREADY_REDEEMED', serial: hotpot.serial, first: { at: firstAt, by: [north.terminalId, 'north'] },
    text: `ALREADY_REDEEMED by north (${north.terminalId}) at ${firstAt}: claimed online`,
  });
  const tea = c['rsa-tea']!;
  await scanRow(ctx, 'south', '"rsa-tea" (RSA suite)', tea.decoded, { reason: 'ACCEPTED', serial: tea.serial, claimedOnline: true, text: 'ACCEPTED, claimed online' });
  await scanRow(ctx, 'north', '"hotpot" with one bit changed (tampered)', tamper(hotpot.decoded), { reason: 'DECRYPTION_FAILED', text: 'DECRYPTION_FAILED (AES-GCM tag)' });
  await scanRow(ctx, 'south', '"expired"', c['expired']!.decoded, { reason: 'EXPIRED', serial: c['expired']!.serial, text: 'EXPIRED' });
  await scanRow(ctx, 'north', `"elsewhere" (${OTHER_MERCHANT}'s coupon)`, c['elsewhere']!.decoded, { reason: 'UNKNOWN_MERCHANT_KEY', text: 'UNKNOWN_MERCHANT_KEY (not for this shop)' });
  await revokedRow(ctx);
}

/** Revoked on the platform, pulled by the kiosk (`kiosk sync`), then scanned: REVOKED, offline too. */
async function revokedRow(ctx: Ctx): Promise<void> {
  const refunded = ctx.coupons['refunded']!;
  await ctx.report.must(`revoke "refunded" on the platform (coupon-platform revoke)`, 'revoked', async () => {
    const r = await ctx.platform.adminJson<{ serial: string; seq: number }>(['revoke', '--serial', refunded.serial, '--reason', 'refunded']);
    return `revoked ${r.serial} (revocation ${r.seq})`;
  });
  await syncRow(ctx, 'south', 'kiosk sync (south): pull the revocations');
  await scanRow(ctx, 'south', '"refunded" (revoked on the platform)', refunded.decoded, { reason: 'REVOKED', serial: refunded.serial, text: 'REVOKED' });
}
