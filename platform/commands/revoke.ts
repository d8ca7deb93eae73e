/** `coupon-platform revoke --serial S`: revoke a coupon (refund); terminals pull it and refuse it as REVOKED. */
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient, output } from '../admin-client.js';
import { parseCommand } from '../args.js';

export const summary = 'revoke a coupon by its serial (as the kiosk shows it)';

interface RevocationView {
  serial: string;
  seq: number;
  revokedAt: string;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, serial: { type: 'string' }, reason: { type: 'string' } },
    `usage: coupon-platform revoke --url URL (--token-file FILE | --data DIR) --serial XXXX-XXXX-… [--reason TEXT] [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const r = await adminClient(args).call<RevocationView>('POST', '/revocations', { serial: args.required('serial'), ...(args.has('reason') ? { reason: args.str('reason') } : {}) });
  output(args, r, () => `revoked ${r.serial} (revocation ${r.seq}, ${r.revokedAt})`);
  return 0;
}
