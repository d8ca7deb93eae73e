/** `coupon-platform keys list|rotate`: the platform's signing keys. */
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient, output } from '../admin-client.js';
import { parseCommand } from '../args.js';
import { CliError } from '../cli-error.js';
import { dispatch } from '../subcommands.js';

export const summary = "list or rotate the platform's signing keys (rotation: new trust bundle, old key kept for an overlap)";

interface PlatformView {
  platformId: string;
  trustSeq: number;
  keys: Array<{ kid: string; alg: string; notBefore: string; notAfter: string | null }>;
}

const describe = (p: PlatformView): string =>
  [`platform ${p.platformId}, trust bundle ${p.trustSeq}`, ...p.keys.map((k) => `  key ${k.kid} ${k.alg} from ${k.notBefore}${k.notAfter ? ` until ${k.notAfter}` : ''}`)].join('\n');

async function list(argv: string[]): Promise<number> {
  const args = parseCommand(argv, ADMIN_OPTIONS, `usage: coupon-platform keys list --url URL (--token-file FILE | --data DIR) [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const p = await adminClient(args).call<PlatformView>('GET', '/platform');
  output(args, p, () => describe(p));
  return 0;
}

async function rotate(argv: string[]): Promise<number> {
  const usage = `usage: coupon-platform keys rotate --url URL (--token-file FILE | --data DIR) [--overlap SECONDS] [--kind ed25519|rsa] [--json]
${ADMIN_USAGE}
  --overlap SECONDS         how long the current keys stay valid (default 30 days: cover the coupons already out)`;
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, overlap: { type: 'string' }, kind: { type: 'string' } }, usage);
  if (!args) return 0;
  const kind = args.str('kind');
  if (kind !== undefined && kind !== 'ed25519' && kind !== 'rsa') throw new CliError('USAGE', `--kind must be ed25519 or rsa, not '${kind}'`);
  const overlap = args.int('overlap', 0, 366 * 24 * 3600);
  const p = await adminClient(args).call<PlatformView>('POST', '/keys/rotate', { ...(overlap !== undefined ? { overlapSeconds: overlap } : {}), ...(kind ? { kind } : {}) });
  output(args, p, () => describe(p));
  return 0;
}

export function run(argv: string[]): Promise<number> {
  return dispatch('keys', { list: { summary: 'the signing keys and trust bundle number', run: list }, rotate: { summary: 'a new signing key with an overlap window', run: rotate } }, argv);
}
