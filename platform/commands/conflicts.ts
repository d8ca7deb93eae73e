/** `coupon-platform conflicts --json`: redemptions that lost to another terminal's, one JSON object per line. */
import { listAll } from '../listing.js';

export const summary = 'list conflicts: the same coupon redeemed at two terminals (one JSON object per line with --json)';

export function run(argv: string[]): Promise<number> {
  return listAll(argv, '/conflicts', (c) => {
    const w = c['winner'] as Record<string, unknown>;
    const state = c['promoted'] === true ? ', promoted: the live redemption since that one was reversed' : typeof c['reversedAt'] === 'string' ? `, reversed by its terminal ${c['reversedAt']}` : '';
    return `${String(c['serial'])} ${String(c['terminalId'])} scanned ${String(c['scannedAt'])} lost to ${String(w['terminalId'])} (scanned ${String(w['scannedAt'])})${state}`;
  });
}
