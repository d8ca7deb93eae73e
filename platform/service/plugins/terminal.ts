/**
 * Terminal routes under /v1/terminal, behind terminal authentication, every
 * answer signed: the terminal's state (time, enabled, sync settings, a newer
 * trust bundle, merchant keys it lacks sealed to its wrap key, and on asking
 * the conflicts it is part of) and the revocation list, pulled incrementally
 * by cursor.
 */
import { RevocationsQuery, RevocationsResponse, TerminalStateQuery, TerminalStateResponse } from '../../../protocol/api.js';
import { CONFLICTS_PAGE_SIZE } from '../../../protocol/sync.js';
import type { Conflict } from '../../store/store.js';
import { sealMerchantKeys } from '../delivery.js';
import { publicKeyFromRaw } from '../keys.js';
import { ERROR_RESPONSES, TERMINAL_SECURITY } from '../schemas.js';
import { conflictNotice } from '../sync-answers.js';
import type { App, ServiceDeps } from '../types.js';

const meta = (summary: string) => ({ summary, tags: ['terminal'], security: TERMINAL_SECURITY });

/** One page of this terminal's conflicts (fetched one past the page to know whether more wait). */
function conflictPage(items: Conflict[], after: number) {
  const page = items.slice(0, CONFLICTS_PAGE_SIZE);
  return { conflicts: page.map(conflictNotice), conflictsCursor: page[page.length - 1]?.seq ?? after, conflictsMore: items.length > CONFLICTS_PAGE_SIZE };
}

export async function terminalPlugin(app: App, deps: ServiceDeps): Promise<void> {
  const { store } = deps;

  app.get('/state', { schema: { ...meta('Time, enabled, sync settings, newer trust bundle, missing merchant keys'), querystring: TerminalStateQuery, response: { 200: TerminalStateResponse, ...ERROR_RESPONSES } } }, async (req) => {
    const t = req.terminal!;
    const after = req.query.conflictsAfter;
    const [merchant, bundle, live, conflicts] = await Promise.all([
      store.merchant(t.merchantId), store.latestTrustBundle(), store.liveMerchantKeys(t.merchantId),
      after === undefined ? undefined : store.terminalConflictsAfter(t.terminalId, after, CONFLICTS_PAGE_SIZE + 1),
    ]);
    const held = new Set((req.query.merchantKids ?? '').split(',').filter((k) => k !== ''));
    const missing = live.filter((k) => !held.has(k.kid));
    return {
      time: deps.now(),
      terminalId: t.terminalId,
      enabled: t.enabled,
      sync: { claimMode: merchant.claimMode, ...merchant.settings },
      trustSeq: bundle.seq,
      ...(req.query.trustSeq === undefined || bundle.seq > req.query.trustSeq ? { trust: Buffer.from(bundle.document).toString('base64') } : {}),
      merchantKids: live.map((k) => k.kid),
      ...(missing.length > 0 ? { merchantKeys: Buffer.from(sealMerchantKeys(missing, publicKeyFromRaw('X25519', t.wrapPublic))).toString('base64') } : {}),
      ...(conflicts === undefined ? {} : conflictPage(conflicts.items, after ?? 0)),
    };
  });

  app.get('/revocations', { schema: { ...meta('Revocations of this merchant\'s coupons after a cursor'), querystring: RevocationsQuery, response: { 200: RevocationsResponse, ...ERROR_RESPONSES } } }, async (req) => {
    const { after, limit } = req.query;
    const page = await store.revocationsAfter(req.terminal!.merchantId, after, limit + 1);
    const items = page.items.slice(0, limit);
    return {
      time: deps.now(),
      revocations: items.map((r) => ({ seq: r.seq, ctiHex: r.ctiHex, revokedAt: r.revokedAt.getTime() })),
      cursor: items[items.length - 1]?.seq ?? after,
      more: page.items.length > limit,
    };
  });
}
