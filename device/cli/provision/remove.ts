/** `kiosk provision remove --platform P`: removes one enrolled platform, all at once. */
import { removePlatform } from '../../../provisioning/remove.js';
import { resolveHome } from '../../home.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { readLedger } from '../open-ledger.js';
import { UsageError, cliLogger, homeConfig, reportFailure } from './common.js';

export const USAGE = `usage: kiosk provision remove --home DIR --platform P [--force] [--json]

Removes platform P's keys and enrollment from the home, all at once. Refused while P has redemptions that
reached it neither by upload nor by USB export (the count is given); --force removes it anyway (they stay
in the ledger, but can no longer be sent signed). The terminal stays registered on the platform: disable it
there (coupon-platform terminal disable --id T).`;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, platform: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const json = parsed.values['json'] === true;
  try {
    const platform = str(parsed, 'platform');
    if (platform === undefined) throw new UsageError('missing --platform P');
    const home = resolveHome(str(parsed, 'home'));
    const force = parsed.values['force'] === true;
    const access = readLedger(homeConfig(home));
    try {
      const removed = await removePlatform(home, platform, {
        force,
        logger: cliLogger(),
        backlog: (id) => {
          if (access.state === 'ok') return access.ledger.backlog(id);
          if (access.state === 'none') return undefined;
          if (force) return undefined;
          throw Object.assign(new Error(`the ledger cannot be read (${access.code}: ${access.message}), so the redemptions not yet sent cannot be counted; fix the ledger, or --force`), { code: 'UNSENT_REDEMPTIONS' });
        },
      });
      if (json) printJson({ ok: true, ...removed });
      else process.stdout.write(`removed platform ${removed.platformId}${removed.terminalId ? ` (terminal ${removed.terminalId}: disable it on the platform)` : ''}${removed.forced ? `; ${removed.backlog!.unsent} redemption(s) never sent remain in the ledger` : ''}\n`);
      return EXIT.ok;
    } finally {
      if (access.state === 'ok') access.ledger.close();
    }
  } catch (err) {
    return reportFailure(err, json, USAGE);
  }
}
