/** `kiosk provision status`: the home's platforms, ids, kids and fingerprints, validity, trust bundle age, disabled state. */
import { provisionStatus, type PlatformStatus, type ProvisionStatus } from '../../../provisioning/status.js';
import { resolveHome } from '../../home.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { readLedger } from '../open-ledger.js';
import { homeConfig, reportFailure } from './common.js';

export const USAGE = `usage: kiosk provision status --home DIR [--json]

Every platform of the home (enrolled, and from PEM files): merchant, terminal and branch ids, claim mode,
the terminal and wrap keys, the platform keys with fingerprints and validity, the merchant keys, the trust
bundle's sequence number and age, a disabled terminal. Never a key. Exit 1 when a platform does not load
or was disabled; warnings (a stale trust bundle, a key about to expire) leave it 0.`;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const json = parsed.values['json'] === true;
  try {
    const home = resolveHome(str(parsed, 'home'));
    const status = provisionStatus(home, { nowMs: effectiveNow(home) });
    if (json) printJson({ ok: true, ...status });
    else process.stdout.write(render(status));
    return status.platforms.some((p) => p.problem !== null || p.disabled !== null) ? EXIT.failed : EXIT.ok;
  } catch (err) {
    return reportFailure(err, json, USAGE);
  }
}

/** The later of the system clock and the ledger's trusted time: key validity is judged as the pipeline judges it. */
function effectiveNow(home: string): number {
  const now = Date.now();
  const access = readLedger(homeConfig(home));
  if (access.state !== 'ok') return now;
  try {
    return Math.max(now, access.ledger.trustedTime() * 1000);
  } finally {
    access.ledger.close();
  }
}

function render(s: ProvisionStatus): string {
  const lines = [`home        ${s.home}${s.credentialsDirectory ? ` (credentials ${s.credentialsDirectory})` : ''}`];
  if (s.platforms.length === 0) lines.push('platforms   none: kiosk provision enroll (or import)');
  for (const p of s.platforms) lines.push('', ...platformLines(p));
  if (s.warnings.length > 0) lines.push('', ...s.warnings.map((w) => `WARNING     ${w}`));
  return lines.join('\n') + '\n';
}

function platformLines(p: PlatformStatus): string[] {
  const out = [`platform    ${p.platformId} (${p.source})${p.disabled ? ' DISABLED' : ''}`];
  if (p.problem) return [...out, `problem     ${p.problem.code}: ${p.problem.message}`];
  if (p.source === 'enrolled') {
    out.push(`terminal    ${p.terminalId}, merchant ${p.merchantId}, branch ${p.branchId}, claim mode ${p.claimMode ?? '-'}`);
    out.push(`service     ${p.url ?? '- (no URL)'} TLS ${p.tls}`);
    out.push(`keys        terminal ${p.terminalKey!.kid} (${p.terminalKey!.origin}), wrap ${p.wrapKey!.kid} (${p.wrapKey!.origin})`);
    out.push(`trust       bundle ${p.trust!.seq} issued ${p.trust!.issuedAt}, confirmed ${p.trust!.checkedAt}${p.trust!.stale ? ' STALE' : ''}; anchored by ${p.trustAnchor!.kid} (${p.trustAnchor!.mode})`);
  } else out.push(`merchant    ${p.merchantId}`);
  for (const k of p.platformKeys) out.push(`platform key ${k.kid} ${k.alg} ${k.state}${k.notAfter ? ` until ${k.notAfter}` : ''} sha256 ${k.fingerprint}`);
  for (const k of p.merchantKeys) out.push(`merchant key ${k.kid} ${k.kind} (${k.origin}) sha256 ${k.fingerprint}`);
  if (p.disabled) out.push(`disabled    ${p.disabled.at}: ${p.disabled.message}`);
  return out;
}
