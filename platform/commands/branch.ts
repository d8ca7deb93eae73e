/** `coupon-platform branch add|list`: a merchant's branches (terminals enroll to one). */
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient, output } from '../admin-client.js';
import { parseCommand } from '../args.js';
import { dispatch } from '../subcommands.js';

export const summary = "add or list a merchant's branches";

interface BranchView {
  merchantId: string;
  branchId: string;
  name: string;
}

async function add(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, merchant: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
    `usage: coupon-platform branch add --url URL (--token-file FILE | --data DIR) --merchant M --id B [--name N]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const b = await adminClient(args).call<BranchView>('POST', `/merchants/${encodeURIComponent(args.required('merchant'))}/branches`, { branchId: args.required('id'), ...(args.has('name') ? { name: args.str('name') } : {}) });
  output(args, b, () => `${b.merchantId}/${b.branchId}${b.name ? ` (${b.name})` : ''}`);
  return 0;
}

async function list(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, merchant: { type: 'string' } }, `usage: coupon-platform branch list --url URL (--token-file FILE | --data DIR) --merchant M [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const bs = await adminClient(args).call<BranchView[]>('GET', `/merchants/${encodeURIComponent(args.required('merchant'))}/branches`);
  for (const b of bs) process.stdout.write((args.flag('json') ? JSON.stringify(b) : `${b.merchantId}/${b.branchId}${b.name ? ` (${b.name})` : ''}`) + '\n');
  return 0;
}

export function run(argv: string[]): Promise<number> {
  return dispatch('branch', { add: { summary: 'add a branch to a merchant', run: add }, list: { summary: "list a merchant's branches", run: list } }, argv);
}
