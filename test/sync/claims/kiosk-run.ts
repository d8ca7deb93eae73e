/** A kiosk home enrolled with a real service, and `kiosk redeem` on it, for the claim-mode tests. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { kioskAsync, ok } from '../../provisioning/cli.js';

export type Event = Record<string, unknown>;

export interface AdminCall {
  (method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Enroll a new home at `url` (a service or a proxy in front of it) for merchant/branch. */
export async function enrollHome(admin: AdminCall, url: string, dir: string, name: string, merchantId: string, branchId: string): Promise<string> {
  const t = await admin('POST', '/enrollment-tokens', { merchantId, branchId });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  const home = path.join(dir, name);
  ok(await kioskAsync(['provision', 'enroll', '--home', home, '--url', url, '--token', t.body['token'] as string, '--expect-platform-kid', t.body['platformKid'] as string, '--json']));
  return home;
}

export async function issueCoupon(admin: AdminCall, aud: string, quantity = 1): Promise<{ text: string; serial: string; ctiHex: string }> {
  const r = await admin('POST', '/coupons', { aud, sub: 'u-1', product: 'hotpot', quantity, iat: new Date(Date.now() - 3600_000).toISOString() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { text: string; serial: string; ctiHex: string };
}

/** `kiosk redeem --home H -` with these lines; its verdict events, one per line, in order. */
export async function redeemLines(home: string, texts: readonly string[]): Promise<Event[]> {
  const r = await kioskAsync(['redeem', '--home', home, '-'], { input: texts.join('\n') + '\n', env: { KIOSK_LOG_LEVEL: 'warn' } });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const events = r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Event);
  assert.equal(events.length, texts.length, r.stdout);
  return events;
}

export const reasons = (events: readonly Event[]): unknown[] => events.map((e) => e['reason']);
