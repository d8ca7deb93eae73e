/** `coupon-platform terminal list|disable|enable`: enrolled terminals; disable a stolen kiosk. */
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient, output } from '../admin-client.js';
import { parseCommand } from '../args.js';
import { dispatch } from '../subcommands.js';

export const summary = 'list terminals; disable (stolen kiosk) or enable one';

interface TerminalView {
  terminalId: string;
  merchantId: string;
  branchId: string;
  name: string;
  signKid: string;
  enabled: boolean;
  disabledAt: string | null;
}

const describe = (t: TerminalView): string =>
  `${t.terminalId} ${t.merchantId}/${t.branchId} "${t.name}" key ${t.signKid} ${t.enabled ? 'enabled' : `DISABLED since ${t.disabledAt ?? '?'}`}`;

async function list(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, merchant: { type: 'string' } }, `usage: coupon-platform terminal list --url URL (--token-file FILE | --data DIR) [--merchant M] [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const m = args.str('merchant');
  const ts = await adminClient(args).call<TerminalView[]>('GET', `/terminals${m ? `?merchantId=${encodeURIComponent(m)}` : ''}`);
  for (const t of ts) process.stdout.write((args.flag('json') ? JSON.stringify(t) : describe(t)) + '\n');
  return 0;
}

function toggle(action: 'disable' | 'enable') {
  return async (argv: string[]): Promise<number> => {
    const args = parseCommand(argv, { ...ADMIN_OPTIONS, id: { type: 'string' } }, `usage: coupon-platform terminal ${action} --url URL (--token-file FILE | --data DIR) --id TERMINAL [--json]\n${ADMIN_USAGE}`);
    if (!args) return 0;
    const t = await adminClient(args).call<TerminalView>('POST', `/terminals/${encodeURIComponent(args.required('id'))}/${action}`);
    output(args, t, () => describe(t));
    return 0;
  };
}

export function run(argv: string[]): Promise<number> {
  return dispatch('terminal', {
    list: { summary: 'list terminals', run: list },
    disable: { summary: 'refuse its requests; it deletes its merchant keys at its next contact', run: toggle('disable') },
    enable: { summary: 'accept its requests again', run: toggle('enable') },
  }, argv);
}
