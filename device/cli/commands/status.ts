/** `kiosk status`: what a technician checks first: keys, trusted time, counts, last scan. */
import { toHex } from '../../../coupon/index.js';
import type { LoadedHome } from '../../home.js';
import { loadHome, resolveHome } from '../../home.js';
import type { Ledger } from '../../ledger/types.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { iso, openLedgerReadOnly } from '../open-ledger.js';

export const summary = 'show keys and their kids, trusted time, ledger counts and the last scan';

const USAGE = `usage: kiosk status [--home DIR] [--json]`;


export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const ledger = openLedgerReadOnly(home.config.ledgerPath);
  let report: Record<string, unknown>;
  try {
    report = statusReport(home, ledger, Date.now());
  } finally {
    ledger?.close();
  }
  if (parsed.values['json']) printJson(report);
  else process.stdout.write(render(report));
  return EXIT.ok;
}

export function statusReport(home: LoadedHome, ledger: Ledger | undefined, nowMs: number): Record<string, unknown> {
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
    ledger: ledger ? home.config.ledgerPath : null,
    systemTime: iso(nowMs),
    trustedTime: trustedMs > 0 ? iso(trustedMs) : null,
    clock: nowMs < trustedMs ? 'BEHIND_TRUSTED_TIME' : 'ok',
    counts: ledger?.counts() ?? null,
    lastScan: last ? { at: iso(last.at), reason: last.reason, serial: last.serial ?? null } : null,
  };
}

function render(r: Record<string, unknown>): string {
  const platforms = r['platforms'] as { id: string; merchantId: string; keys: { kid: string; alg: number }[] }[];
  const merchant = r['merchantKeys'] as { kid: string; kind: string }[];
  const lines = [`home        ${String(r['home'])}`, `terminal    ${String(r['terminalId'])}`];
  for (const p of platforms) lines.push(`platform    ${p.id} (merchant id ${p.merchantId}): ${p.keys.map((k) => `${k.kid} alg ${k.alg}`).join(', ')}`);
  for (const k of merchant) lines.push(`merchant    ${k.kind} key ${k.kid}`);
  if (r['noKeys']) lines.push('keys        NO_KEYS: run `kiosk provision import`');
  lines.push(`ledger      ${String(r['ledger'] ?? 'not created yet')}`);
  lines.push(`clock       system ${String(r['systemTime'])}, trusted ${String(r['trustedTime'] ?? '-')} (${String(r['clock'])})`);
  if (r['counts']) lines.push(`counts      ${Object.entries(r['counts'] as object).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  const last = r['lastScan'] as { at: string; reason: string; serial: string | null } | null;
  lines.push(`last scan   ${last ? `${last.at} ${last.reason}${last.serial ? ' ' + last.serial : ''}` : '-'}`);
  return lines.join('\n') + '\n';
}
