/** `coupon-platform redemptions --json`: every recorded redemption, one JSON object per line. */
import { listAll } from '../listing.js';

export const summary = 'list redemptions (one JSON object per line with --json)';

export function run(argv: string[]): Promise<number> {
  return listAll(argv, '/redemptions', (r) =>
    `${String(r['serial'])} ${String(r['terminalId'])} ${String(r['branchId'])} scanned ${String(r['scannedAt'])} received ${String(r['receivedAt'])}${r['offline'] ? ' offline' : ''} ${String(r['source'])}${r['reversedAt'] ? ` REVERSED ${String(r['reversedAt'])}` : ''}`);
}
