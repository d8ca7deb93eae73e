/**
 * After the counter: the kiosks stop, upload what they redeemed (`kiosk
 * sync`), export it as signed batches onto a "stick" (`kiosk export --to`),
 * and the platform imports the stick (`coupon-platform import-batch`): what
 * already came over the network is a duplicate there, nothing is refused.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BRANCH_NAMES, type Branch, type Ctx } from './context.js';
import { kioskCli } from './kiosks.js';
import { describeVerdict, mismatch } from './verdicts.js';

export async function after(ctx: Ctx): Promise<void> {
  await ctx.report.must('stop both kiosks (SIGTERM)', 'each exits 0', async () => {
    const codes: string[] = [];
    for (const [branch, k] of Object.entries(ctx.kiosks)) codes.push(`${branch} ${String(await k.stop())}`);
    if (codes.some((c) => !c.endsWith(' 0'))) throw new Error(`exit codes: ${codes.join(', ')}`);
    return `exit codes: ${codes.join(', ')}`;
  });
  for (const branch of BRANCH_NAMES) await syncRow(ctx, branch, `kiosk sync (${branch}): upload the redemptions`);
  await redemptionsRow(ctx);
  const stick = path.join(ctx.work, 'stick');
  mkdirSync(stick, { recursive: true });
  let exported = 0;
  for (const branch of BRANCH_NAMES) exported += await exportRow(ctx, branch, stick);
  await importRow(ctx, stick, exported);
  const stopped = await ctx.report.must('stop the platform service (SIGTERM)', 'exit 0', async () => {
    const code = await ctx.platform.stop();
    if (code !== 0) throw new Error(`exit ${String(code)}`);
    return 'exit 0';
  });
  if (stopped) await offlineRevokedRow(ctx);
}

/**
 * With the platform gone, north refuses the refunded coupon from the list its
 * `kiosk sync` pulled: no online claim can be what says REVOKED here.
 */
async function offlineRevokedRow(ctx: Ctx): Promise<void> {
  const refunded = ctx.coupons['refunded']!;
  const want = { reason: 'REVOKED', serial: refunded.serial, text: 'REVOKED, from its own revocation list' };
  await ctx.report.must('platform down: north redeems "refunded" (kiosk redeem, the same pipeline)', want.text, async () => {
    const r = await kioskCli(['redeem', '--home', ctx.enrolled.north.home, refunded.decoded]);
    const line = r.stdout.trim().split('\n').pop();
    if (!line) throw new Error(`no verdict; exit ${String(r.status)}: ${r.stderr.trim()}`);
    const v = JSON.parse(line) as Record<string, unknown>;
    const diff = mismatch(v, want);
    if (diff) throw new Error(`${describeVerdict(v)} [${diff}]`);
    return describeVerdict(v);
  });
}

/** `kiosk sync --home H --json`: one pass (push everything pending, pull revocations, time and trust); 0 only when nothing is left pending. */
export async function syncRow(ctx: Ctx, branch: Branch, step: string): Promise<boolean> {
  return ctx.report.must(step, 'exit 0, nothing left pending', async () => {
    const r = await kioskCli(['sync', '--home', ctx.enrolled[branch].home, '--json']);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0) throw new Error(`exit ${String(r.status)}: ${(r.stderr.trim() || last).split('\n').slice(0, 2).join(' / ')}`);
    const pending = (JSON.parse(last || '{}') as { pending?: unknown }).pending;
    if (pending !== 0) throw new Error(`exit 0 but pending ${String(pending)}: ${last}`);
    return `exit 0: ${last.slice(0, 160)}`;
  });
}

/** The platform's list: each redemption once, at the kiosk that made it. */
async function redemptionsRow(ctx: Ctx): Promise<void> {
  const want = [
    { name: 'hotpot', branch: 'north' },
    { name: 'rsa-tea', branch: 'south' },
  ].map((w) => ({ ...w, serial: ctx.coupons[w.name]!.serial }));
  const expected = want.map((w) => `${w.name} at ${w.branch}`).join(', ') + ', each once';
  await ctx.report.must('coupon-platform redemptions: what the platform recorded', expected, async () => {
    const out = await ctx.platform.admin(['redemptions', '--json']);
    const rows = out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const got = rows.map((r) => `${String(r['serial'])} at ${String(r['branchId'])}`);
    const ok = rows.length === want.length && want.every((w) => rows.some((r) => r['serial'] === w.serial && r['branchId'] === w.branch));
    if (!ok) throw new Error(`${rows.length} recorded: ${got.join(', ') || 'none'}`);
    return want.map((w) => `${w.name} at ${w.branch}`).join(', ') + ` (${rows.length} recorded)`;
  });
}

/** `kiosk export --home H --to STICK --json`: every redemption not yet exported, as signed batches; returns the count. */
async function exportRow(ctx: Ctx, branch: Branch, stick: string): Promise<number> {
  let count = 0;
  await ctx.report.must(`kiosk export --to DIR (${branch})`, 'done: 1 redemption in a signed batch', async () => {
    const r = await kioskCli(['export', '--home', ctx.enrolled[branch].home, '--to', stick, '--json']);
    const events = r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = events.find((e) => e['state'] === 'done');
    if (r.status !== 0 || !done) throw new Error(`exit ${String(r.status)}, last event ${JSON.stringify(events.at(-1) ?? null)}: ${r.stderr.trim()}`);
    count = Number(done['count']);
    if (count !== 1) throw new Error(`done with ${count} redemptions`);
    return `done: ${count} redemption, files ${JSON.stringify(done['files'])}`;
  });
  return count;
}

/** `coupon-platform import-batch --json STICK`: the records came over the network already, so all are duplicates. */
async function importRow(ctx: Ctx, stick: string, exported: number): Promise<void> {
  const expected = `exit 0; 0 accepted, ${exported} duplicates, 0 conflicts, 0 refused`;
  await ctx.report.must('coupon-platform import-batch --json (the stick)', expected, async () => {
    const r = await ctx.platform.adminRaw(['import-batch', '--json', stick]);
    const s = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    const actual = `exit ${String(r.status)}; ${String(s['accepted'])} accepted, ${String(s['duplicates'])} duplicates, ${String(s['conflicts'])} conflicts, ${String(s['refused'])} refused`;
    if (actual !== expected) throw new Error(actual + (r.status !== 0 ? `: ${r.stderr.trim()}` : ''));
    return actual;
  });
}
