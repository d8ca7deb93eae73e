/**
 * `kiosk sync`: one pass of the sync worker by hand, per platform with a
 * service URL: push everything pending (in batches, in ledger order), then
 * pull state (trust, keys, time, conflicts) and revocations. Safe beside a
 * running service: an entry both send is recorded once (the platform answers
 * the second `duplicate`). Exit 0 only when nothing is left pending.
 */
import { systemClock } from '../../../drivers/clock/port.js';
import { SyncWorker } from '../../../sync/worker.js';
import { loadHome, resolveHome } from '../../home.js';
import { openHomeLedger, planLedger } from '../../home-ledger.js';
import { createLogger } from '../../logger.js';
import { raiseTrustedTime } from '../../trusted-time.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import type { DrainResult } from '../../../sync/uplink/drain.js';

export const summary = 'push pending redemptions to the platforms now, pull revocations, time, trust and conflicts';

const USAGE = `usage: kiosk sync [--home DIR] [--json]

One pass for every enrolled platform that has a service URL: uploads every outbox entry not yet answered
(redemptions and reversals, in ledger order, the original scan times), records each answer (recorded,
duplicate, conflict; unknown, revoked and refused are kept as rejected and shown), then pulls the signed
terminal state (trust updates, merchant keys, platform time, conflicts) and the revocation list.
--json: one object per platform, then {"event":"sync-done","pending":N}.
Exit 0 only when nothing is left pending (entries of a platform without a URL stay pending: USB export).`;

interface PlatformPass {
  platformId: string;
  uploaded: DrainResult | null;
  uploadError: string | null;
  pulled: boolean;
  pullError: string | null;
}

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const json = parsed.values['json'] === true;
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const logger = createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
  if (planLedger(home.paths, home.config).kind === 'create') {
    if (json) printJson({ event: 'sync-done', pending: 0, platforms: 0 });
    else process.stdout.write('no ledger yet: nothing to upload\n');
    return EXIT.ok;
  }
  const ledger = openHomeLedger(home.paths, home.config, { logger });
  const worker = new SyncWorker({
    home: home.paths.home, ledger, config: home.config.sync, logger, now: () => systemClock.now(),
    raiseTime: (t, source) => raiseTrustedTime({ ledger, clock: systemClock }, t, source),
  });
  try {
    worker.refresh();
    const passes: PlatformPass[] = [];
    for (const link of worker.platforms()) passes.push(await passOf(link));
    const statuses = worker.status();
    const pending = ledger.counts().pendingUpload;
    for (const p of passes) {
      const s = statuses.find((x) => x.platformId === p.platformId)!;
      if (json) printJson({ ...p, ...s });
      else process.stdout.write(line(p, s) + '\n');
    }
    if (json) printJson({ event: 'sync-done', pending, platforms: passes.length });
    else process.stdout.write(`pending ${pending}\n`);
    return pending === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await worker.stop();
    ledger.close();
  }
}

async function passOf(link: ReturnType<SyncWorker['platforms']>[number]): Promise<PlatformPass> {
  const pass: PlatformPass = { platformId: link.platformId, uploaded: null, uploadError: null, pulled: false, pullError: null };
  const [up, down] = await Promise.allSettled([link.uploadNow(), link.pullNow()]);
  if (up.status === 'fulfilled') pass.uploaded = up.value;
  else pass.uploadError = errorText(up.reason);
  if (down.status === 'fulfilled') pass.pulled = true;
  else pass.pullError = errorText(down.reason);
  return pass;
}

function errorText(err: unknown): string {
  const e = err as Error & { code?: string };
  return `${e.code ?? 'FAILED'}: ${e.message}`;
}

function line(p: PlatformPass, s: { pending: number; rejected: number; held: number; conflicts: number }): string {
  const up = p.uploaded ? `uploaded ${p.uploaded.sent} (${p.uploaded.requests} requests), rejected ${p.uploaded.rejected}, held ${p.uploaded.held}` : `upload FAILED ${p.uploadError}`;
  const down = p.pulled ? 'pulled state and revocations' : `pull FAILED ${p.pullError}`;
  return `${p.platformId}: ${up}; ${down}; pending ${s.pending}, rejected ${s.rejected}, held ${s.held}, conflicts ${s.conflicts}`;
}
