/**
 * `kiosk provision remove --platform P`: one enrolled platform goes, all at
 * once (its folder renamed aside, then deleted). Its redemptions stay in the
 * ledger, but without the terminal key they can no longer be uploaded or
 * exported signed: removal is refused while any of them reached the platform
 * neither way, unless forced.
 */
import type { Logger } from '../device/logger.js';
import type { PlatformBacklog } from '../device/ledger/types.js';
import { ProvisionError } from './errors.js';
import { isEnrolled } from './store/load.js';
import { withStoreLock } from './store/lock.js';
import { PLATFORM_ID } from './store/layout.js';
import { cleanLeftovers, removePlatformDir } from './store/write.js';
import { readEnrollmentRecord } from './store/record.js';
import path from 'node:path';
import { ENROLLMENT_FILE, platformDir } from './store/layout.js';

export interface RemoveOptions {
  force?: boolean;
  /** the platform's redemptions not yet at the platform (the ledger); undefined: this kiosk has no ledger yet */
  backlog: (platformId: string) => PlatformBacklog | undefined;
  logger: Logger;
}

export interface Removed {
  platformId: string;
  terminalId: string | null;
  backlog: PlatformBacklog | null;
  forced: boolean;
}

export async function removePlatform(home: string, platformId: string, opts: RemoveOptions): Promise<Removed> {
  if (!PLATFORM_ID.test(platformId) || !isEnrolled(home, platformId)) {
    throw new ProvisionError('NOT_ENROLLED', `no enrolled platform '${platformId.slice(0, 80)}' in ${home} (kiosk provision status lists them; a platform from PEM files is edited in trust.json)`);
  }
  return withStoreLock(home, 'kiosk provision remove', () => {
    if (!isEnrolled(home, platformId)) throw new ProvisionError('NOT_ENROLLED', `platform '${platformId}' was removed meanwhile`);
    const backlog = opts.backlog(platformId) ?? null;
    if (backlog && backlog.unsent > 0 && !opts.force) {
      throw new ProvisionError(
        'UNSENT_REDEMPTIONS',
        `platform '${platformId}' has ${backlog.unsent} redemption(s) that reached it neither by upload nor by USB export (${backlog.notUploaded} not uploaded, ${backlog.notExported} not exported): ` +
          'sync or export them first; --force removes the platform anyway (they stay in the ledger, but can no longer be sent signed)',
      );
    }
    let terminalId: string | null = null;
    try {
      terminalId = readEnrollmentRecord(path.join(platformDir(home, platformId), ENROLLMENT_FILE)).terminalId;
    } catch {
      // a broken folder is removed all the same
    }
    removePlatformDir(home, platformId);
    cleanLeftovers(home, Date.now());
    opts.logger.child({ module: 'provision' }).warn({ platformId, terminalId, backlog, forced: opts.force === true }, 'platform removed from the key store');
    return { platformId, terminalId, backlog, forced: opts.force === true && (backlog?.unsent ?? 0) > 0 };
  });
}
