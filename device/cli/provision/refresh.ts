/**
 * `kiosk provision refresh`: a signed GET /v1/terminal/state per enrolled
 * platform, applied to the key store (newer trust bundle, new merchant keys,
 * disabled terminal) and to the trusted time. A running kiosk reloads its
 * keys within seconds.
 */
import { systemClock } from '../../../drivers/clock/port.js';
import { loadPlatform, enrolledIds } from '../../../provisioning/store/load.js';
import { pullState, type PullResult } from '../../../sync/terminal-state.js';
import { resolveHome } from '../../home.js';
import { openHomeLedger, planLedger } from '../../home-ledger.js';
import type { SqliteLedger } from '../../ledger/sqlite-ledger.js';
import type { Logger } from '../../logger.js';
import { raiseTrustedTime } from '../../trusted-time.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { UsageError, cliLogger, homeConfig, reportFailure } from './common.js';

export const USAGE = `usage: kiosk provision refresh --home DIR [--platform P] [--json]

Asks each enrolled platform (or P) for this terminal's state, signed and verified: a newer trust bundle
signed by a key the kiosk trusts is applied (a lower one is refused), new merchant keys sealed to the wrap
key are installed and keys the platform no longer lists are deleted, the signed platform time raises the
trusted time, and a terminal the platform disabled loses its merchant keys. Exit 1 when a platform could
not be refreshed or has disabled this terminal.`;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, platform: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const json = parsed.values['json'] === true;
  try {
    const home = resolveHome(str(parsed, 'home'));
    const only = str(parsed, 'platform');
    const ids = enrolledIds(home).filter((id) => only === undefined || id === only);
    if (only !== undefined && ids.length === 0) throw Object.assign(new Error(`no enrolled platform '${only}' (kiosk provision status lists them)`), { code: 'NOT_ENROLLED' });
    if (ids.length === 0) throw new UsageError('no enrolled platform to refresh: enroll first (kiosk provision enroll)');
    const logger = cliLogger();
    const ledger = openLedgerForTime(home, logger);
    const results: PullResult[] = [];
    try {
      const raiseTime = ledger ? (t: number, source: string) => raiseTrustedTime({ ledger, clock: systemClock }, t, source) : undefined;
      for (const id of ids) results.push(await refreshOne(home, id, logger, raiseTime));
    } finally {
      ledger?.close();
    }
    const failed = results.filter((r) => !r.ok || r.applied.disabled);
    if (json) for (const r of results) printJson(r);
    else process.stdout.write(results.map(line).join('\n') + '\n');
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  } catch (err) {
    return reportFailure(err, json, USAGE);
  }
}

async function refreshOne(home: string, id: string, logger: Logger, raiseTime: ((t: number, s: string) => number) | undefined): Promise<PullResult> {
  let platform;
  try {
    platform = loadPlatform(home, id);
  } catch (err) {
    const e = err as Error & { code?: string };
    return { platformId: id, ok: false, code: e.code ?? 'UNREADABLE', message: e.message };
  }
  return pullState({ home, platform, logger, raiseTime });
}

/** The ledger, to raise the trusted time; none before the service made it (a platform time is then not kept). */
function openLedgerForTime(home: string, logger: Logger): SqliteLedger | undefined {
  const { paths, config } = homeConfig(home);
  try {
    if (planLedger(paths, config).kind === 'create') return undefined;
    return openHomeLedger(paths, config, { logger });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'the ledger cannot be opened: the signed platform time is not recorded');
    return undefined;
  }
}

function line(r: PullResult): string {
  if (!r.ok) return `${r.platformId}: FAILED ${r.code}: ${r.message}`;
  const a = r.applied;
  if (a.disabled) return `${r.platformId}: TERMINAL_DISABLED: the platform disabled this terminal; its merchant keys were deleted (${a.merchantKeys.dropped.length})`;
  const trust = a.trust.outcome === 'applied' ? `trust bundle now ${a.trust.seq}` : a.trust.outcome === 'rollback-refused' ? `trust bundle ${a.trust.offered} REFUSED (lower than ${a.trust.seq})` : `trust bundle ${a.trust.seq} (${a.trust.outcome})`;
  const keys = `merchant keys ${a.merchantKeys.held.join(', ') || '-'}${a.merchantKeys.added.length ? ` (new: ${a.merchantKeys.added.join(', ')})` : ''}${a.merchantKeys.dropped.length ? ` (deleted: ${a.merchantKeys.dropped.join(', ')})` : ''}`;
  return `${r.platformId}: ${trust}; ${keys}; trusted time ${a.trustedTimeS === null ? 'not recorded (no ledger yet)' : new Date(a.trustedTimeS * 1000).toISOString()}`;
}
