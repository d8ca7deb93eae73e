/** `coupon-platform merchant add|list|show|set|rotate-key`: merchants, their claim mode, sync limits and keys. */
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient, output } from '../admin-client.js';
import { parseCommand, type Args } from '../args.js';
import { CliError } from '../cli-error.js';
import { dispatch } from '../subcommands.js';

export const summary = 'add, list, show and change merchants; rotate a merchant key';

const CLAIM = ['offline', 'online-preferred', 'online-required'];
/** flag → sync setting */
const LIMITS: Array<[string, string]> = [
  ['claim-timeout-ms', 'claimTimeoutMs'], ['offline-max-count', 'offlineMaxCount'], ['offline-max-age', 'offlineMaxAgeS'],
  ['offline-max-quantity', 'offlineMaxQuantity'], ['revocation-max-age', 'revocationMaxAgeS'], ['reversal-window', 'reversalWindowS'],
];
const LIMIT_OPTIONS = Object.fromEntries(LIMITS.map(([f]) => [f, { type: 'string' as const }]));
const LIMIT_USAGE = `  --claim offline|online-preferred|online-required
  --claim-timeout-ms N  --offline-max-count N  --offline-max-age SECONDS  --offline-max-quantity N
  --revocation-max-age SECONDS  --reversal-window SECONDS`;

interface MerchantView {
  merchantId: string;
  name: string;
  sync: Record<string, unknown> & { claimMode: string };
  keys: Array<{ kid: string; kind: string; retiredAt: string | null; live: boolean }>;
}

function claimMode(args: Args): string | undefined {
  const c = args.str('claim');
  if (c !== undefined && !CLAIM.includes(c)) throw new CliError('USAGE', `--claim must be ${CLAIM.join(', ')}, not '${c}'`);
  return c;
}

function limits(args: Args): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [flag, key] of LIMITS) {
    const v = args.int(flag, 0, 1_000_000_000);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function describe(m: MerchantView): string {
  const keys = m.keys.map((k) => `  key ${k.kid} ${k.kind}${k.retiredAt ? ` retired ${k.retiredAt}` : ' current'}${k.live ? '' : ' (no live coupons)'}`);
  const sync = Object.entries(m.sync).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  return [`${m.merchantId}${m.name ? ` (${m.name})` : ''}: ${sync}`, ...keys].join('\n');
}

async function add(argv: string[]): Promise<number> {
  const usage = `usage: coupon-platform merchant add --url URL (--token-file FILE | --data DIR) --id M [--name N] [--key x25519|rsa]\n${LIMIT_USAGE}\n${ADMIN_USAGE}`;
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, ...LIMIT_OPTIONS, id: { type: 'string' }, name: { type: 'string' }, claim: { type: 'string' }, key: { type: 'string' } }, usage);
  if (!args) return 0;
  const key = args.str('key');
  if (key !== undefined && key !== 'x25519' && key !== 'rsa') throw new CliError('USAGE', `--key must be x25519 or rsa, not '${key}'`);
  const body = { merchantId: args.required('id'), ...(args.has('name') ? { name: args.str('name') } : {}), ...(claimMode(args) ? { claimMode: claimMode(args) } : {}), ...(key ? { keyKind: key } : {}), settings: limits(args) };
  const m = await adminClient(args).call<MerchantView>('POST', '/merchants', body);
  output(args, m, () => describe(m));
  return 0;
}

async function list(argv: string[]): Promise<number> {
  const args = parseCommand(argv, ADMIN_OPTIONS, `usage: coupon-platform merchant list --url URL (--token-file FILE | --data DIR) [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const ms = await adminClient(args).call<MerchantView[]>('GET', '/merchants');
  if (args.flag('json')) for (const m of ms) process.stdout.write(JSON.stringify(m) + '\n');
  else process.stdout.write(ms.map(describe).join('\n') + (ms.length ? '\n' : ''));
  return 0;
}

async function show(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, id: { type: 'string' } }, `usage: coupon-platform merchant show --url URL (--token-file FILE | --data DIR) --id M [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const m = await adminClient(args).call<MerchantView>('GET', `/merchants/${encodeURIComponent(args.required('id'))}`);
  output(args, m, () => describe(m));
  return 0;
}

async function set(argv: string[]): Promise<number> {
  const usage = `usage: coupon-platform merchant set --url URL (--token-file FILE | --data DIR) --id M [limits]\n${LIMIT_USAGE}\n${ADMIN_USAGE}`;
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, ...LIMIT_OPTIONS, id: { type: 'string' }, claim: { type: 'string' } }, usage);
  if (!args) return 0;
  const mode = claimMode(args);
  const m = await adminClient(args).call<MerchantView>('PATCH', `/merchants/${encodeURIComponent(args.required('id'))}`, { ...(mode ? { claimMode: mode } : {}), settings: limits(args) });
  output(args, m, () => describe(m));
  return 0;
}

async function rotateKey(argv: string[]): Promise<number> {
  const usage = `usage: coupon-platform merchant rotate-key --url URL (--token-file FILE | --data DIR) --id M [--key x25519|rsa]\n${ADMIN_USAGE}\n\n  Terminals receive the new key wrapped to their wrap key at their next contact; the old key stays until its coupons expire.`;
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, id: { type: 'string' }, key: { type: 'string' } }, usage);
  if (!args) return 0;
  const key = args.str('key');
  if (key !== undefined && key !== 'x25519' && key !== 'rsa') throw new CliError('USAGE', `--key must be x25519 or rsa, not '${key}'`);
  const m = await adminClient(args).call<MerchantView>('POST', `/merchants/${encodeURIComponent(args.required('id'))}/keys`, key ? { kind: key } : {});
  output(args, m, () => describe(m));
  return 0;
}

export function run(argv: string[]): Promise<number> {
  return dispatch('merchant', {
    add: { summary: 'add a merchant (the platform makes its key pair)', run: add },
    list: { summary: 'list merchants', run: list },
    show: { summary: 'one merchant: sync settings and keys', run: show },
    set: { summary: 'change the claim mode or sync limits', run: set },
    'rotate-key': { summary: 'a new merchant key (the old stays while its coupons live)', run: rotateKey },
  }, argv);
}
