/**
 * `redemptions` and `conflicts`: every record, page by page, one JSON object
 * per line with `--json` (each with `serial` as the kiosk shows it and the
 * terminal id), or one readable line each.
 */
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient } from './admin-client.js';
import { parseCommand } from './args.js';

const PAGE = 1000;

export async function listAll(argv: string[], route: string, describe: (item: Record<string, unknown>) => string): Promise<number> {
  const args = parseCommand(argv, { ...ADMIN_OPTIONS, after: { type: 'string' } }, `usage: coupon-platform ${route.slice(1)} --url URL (--token-file FILE | --data DIR) [--after CURSOR] [--json]\n${ADMIN_USAGE}`);
  if (!args) return 0;
  const client = adminClient(args);
  let after = args.int('after', 0, Number.MAX_SAFE_INTEGER, 0)!;
  for (;;) {
    const page = await client.call<{ items: Array<Record<string, unknown>>; cursor: number }>('GET', `${route}?after=${after}&limit=${PAGE}`);
    for (const item of page.items) process.stdout.write((args.flag('json') ? JSON.stringify(item) : describe(item)) + '\n');
    if (page.items.length < PAGE) return 0;
    after = page.cursor;
  }
}
