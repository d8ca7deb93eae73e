/** `kiosk status`: what a technician checks first: keys, trusted time, counts, last scan. */
import { toHex } from '../../../coupon/index.js';
import type { LoadedHome } from '../../home.js';
import { loadHome, resolveHome } from '../../home.js';
import { loadHomeKeys } from '../../../provisioning/home-keys.js';
import type { ClaimPolicy } from '../../claims/policy.js';
import { policyFor } from '../../main-claims.js';
import { syncStatus, type PlatformSyncStatus } from '../../../sync/status.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { iso, readLedger, unavailableLine, type LedgerAccess } from '../open-ledger.js';

export const summary = 'show keys and their kids, claim modes, trusted time, ledger counts and the last scan';

const USAGE = `usage: kiosk status [--home DIR] [--json]`;


export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const loaded = loadHomeKeys(home.paths.home);
  const keys = loaded.snapshot;
  const access = readLedger(home);
  let report: Record<string, unknown>;
  try {
    report = statusReport({ ...home, platforms: [...keys.keyring.platforms], merchantKeys: [...keys.keyring.merchantKeys] }, access, Date.now());
    report['disabled'] = keys.disabled.map((d) => ({ ...d, at: new Date(d.at).toISOString() }));
    report['claims'] = claimsReport(keys.keyring.platforms.map((p) => p.platformId), policyFor(() => loaded.enrolled, home.config.claims), access);
    report['sync'] = access.state === 'ok' ? loaded.enrolled.map((p) => syncStatus(access.ledger, p, undefined, Date.now())) : [];
  } finally {
    if (access.state === 'ok') access.ledger.close();
  }
  if (parsed.values['json']) printJson(report);
  else process.stdout.write(render(report, access));
  // a lost or unusable ledger is a failure a script must see, not a detail in the text
  return access.state === 'unavailable' ? EXIT.failed : EXIT.ok;
}

export function statusReport(home: Pick<LoadedHome, 'paths' | 'config' | 'platforms' | 'merchantKeys'>, access: LedgerAccess, nowMs: number): Record<string, unknown> {
  const ledger = access.state === 'ok' ? access.ledger : undefined;
  const trustedMs = ledger ? ledger.trustedTime() * 1000 : 0;
  const last = ledger?.lastScan();
  return {
    home: home.paths.home,
    terminalId: home.config.terminalId,
    platforms: home.platforms.map((p) => ({
      id: p.platformId,
      merchantId: p.merchantId,
      keys: p.keys.map((k) => ({ kid: toHex(k.kid), alg: k.alg, notBefore: k.notBefore ?? null, notAfter: k.notAfter ?? null })),
    })),
    merchantKeys: home.merchantKeys.map((k) => ({ kid: toHex(k.kid), kind: k.kind })),
    noKeys: home.platforms.length === 0 || home.merchantKeys.length === 0,
    ledger: ledger ? ledger.file : null,
    ledgerId: ledger?.identity()?.id ?? null,
    /** ok, none (not created yet) or the LedgerError code: LEDGER_LOST, LEDGER_MISMATCH, ... */
    ledgerState: access.state === 'unavailable' ? access.code : access.state,
    ledgerProblem: access.state === 'unavailable' ? access.message : null,
    systemTime: iso(nowMs),
    trustedTime: trustedMs > 0 ? iso(trustedMs) : null,
    clock: nowMs < trustedMs ? 'BEHIND_TRUSTED_TIME' : 'ok',
    counts: ledger?.counts() ?? null,
    lastScan: last ? { at: iso(last.at), reason: last.reason, serial: last.serial ?? null } : null,
  };
}

/** Each platform's claim mode as this kiosk applies it (merchant settings with config.json's claims.*), and its unsent offline redemptions. */
function claimsReport(ids: string[], policy: (platformId: string) => ClaimPolicy, access: LedgerAccess): Record<string, unknown>[] {
  return ids.map((platformId) => {
    const backlog = access.state === 'ok' ? access.ledger.sync.offlineBacklog(platformId) : null;
    return { platformId, ...policy(platformId), offlineUnsent: backlog?.count ?? null, oldestOfflineUnsent: backlog?.oldestAt ? iso(backlog.oldestAt) : null };
  });
}

function render(r: Record<string, unknown>, access: LedgerAccess): string {
  const platforms = r['platforms'] as { id: string; merchantId: string; keys: { kid: string; alg: number }[] }[];
  const merchant = r['merchantKeys'] as { kid: string; kind: string }[];
  const lines = [`home        ${String(r['home'])}`, `terminal    ${String(r['terminalId'])}`];
  for (const p of platforms) lines.push(`platform    ${p.id} (merchant id ${p.merchantId}): ${p.keys.map((k) => `${k.kid} alg ${k.alg}`).join(', ')}`);
  for (const k of merchant) lines.push(`merchant    ${k.kind} key ${k.kid}`);
  if (r['noKeys']) lines.push('keys        NO_KEYS: run `kiosk provision enroll` (or import)');
  for (const d of (r['disabled'] as { platformId: string; terminalId: string; at: string }[] | undefined) ?? []) {
    lines.push(`disabled    TERMINAL_DISABLED: platform ${d.platformId} disabled terminal ${d.terminalId} (${d.at})`);
  }
  for (const c of (r['claims'] as (ClaimPolicy & { platformId: string; offlineUnsent: number | null })[] | undefined) ?? []) {
    const limits = c.mode === 'online-preferred' ? `, offline at most ${c.offlineMaxCount} unsent (now ${c.offlineUnsent ?? '-'}), ${c.offlineMaxAgeS} s old, quantity ${c.offlineMaxQuantity}` : '';
    lines.push(`claims      ${c.platformId}: ${c.mode}${c.mode === 'offline' ? '' : ` (answer within ${c.timeoutMs} ms${limits})`}`);
  }
  const id = r['ledgerId'] === null ? 'no identity yet: the service adopts it at its next start' : `id ${String(r['ledgerId'])}`;
  const ledger = access.state === 'unavailable' ? unavailableLine(access) : access.state === 'none' ? 'not created yet' : `${String(r['ledger'])} (${id})`;
  lines.push(`ledger      ${ledger}`);
  lines.push(`clock       system ${String(r['systemTime'])}, trusted ${String(r['trustedTime'] ?? '-')} (${String(r['clock'])})`);
  if (r['counts']) lines.push(`counts      ${Object.entries(r['counts'] as object).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  for (const s of (r['sync'] as PlatformSyncStatus[] | undefined) ?? []) {
    const since = s.lastSyncAt === null ? 'never synced' : `last sync ${iso(s.lastSyncAt)} (${s.sinceSyncS}s ago)`;
    lines.push(`sync        ${s.platformId}: ${since}; pending ${s.pending}, rejected ${s.rejected}, held ${s.held}${s.rejected + s.held > 0 ? ' (kiosk ledger attention)' : ''}, conflicts ${s.conflicts}${s.conflicts > 0 ? ' (kiosk ledger conflicts)' : ''}; claim mode ${s.claimMode}${s.revocationsStale ? '; REVOCATIONS STALE' : ''}${s.lastError ? `; last error ${s.lastError}` : ''}`);
  }
  const last = r['lastScan'] as { at: string; reason: string; serial: string | null } | null;
  lines.push(`last scan   ${last ? `${last.at} ${last.reason}${last.serial ? ' ' + last.serial : ''}` : '-'}`);
  return lines.join('\n') + '\n';
}
