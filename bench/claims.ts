/**
 * Claim modes: scan to verdict in `online-required` on loopback beside
 * `offline`, in the same run, through the same Kiosk (FakeScanner → Redeemer
 * → SQLite WAL, synchronous=FULL → FakeDisplay) and the same enrolled home:
 * online, every scan waits for a signed claim answer from `coupon-platform
 * serve` (a separate process, PGlite) over a kept-alive HTTP connection,
 * verified, before its ledger commit. Target: p99 within 15 ms of offline.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { systemClock } from '../drivers/clock/port.js';
import { FakeDisplay } from '../drivers/display/fake.js';
import { FakeIndicator } from '../drivers/indicator/fake.js';
import { FakeScanner } from '../drivers/scanner/fake.js';
import { claimPolicy } from '../device/claims/policy.js';
import { parseConfig } from '../device/config.js';
import { Kiosk } from '../device/kiosk.js';
import { openLedger } from '../device/ledger/sqlite-ledger.js';
import { silentLogger } from '../device/logger.js';
import { buildClaims } from '../device/main-claims.js';
import { Redeemer, type ClaimDeps } from '../device/pipeline.js';
import { loadHomeKeys } from '../provisioning/home-keys.js';
import { tempDir } from '../test/device/helpers.js';
import { spawnServe } from '../test/platform/spawn-serve.js';
import { preparedDataDir } from '../test/support/pglite.js';

export const title = 'Claim modes: scan to verdict, online-required beside offline';

const N = 1000;
const WARMUP = 50;
const MERCHANT = 'shop-bench';
const KIOSK_CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../device/cli/kiosk.js');

interface Stats {
  p50: number;
  p99: number;
}

const pct = (s: number[], p: number): number => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
const fmt = (ms: number): string => ms.toFixed(3);

async function scanAll(home: string, ledgerFile: string, claims: ClaimDeps, texts: string[]): Promise<Stats> {
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const ledger = openLedger(ledgerFile, { logger: silentLogger() });
  const keys = { keyring: loadHomeKeys(home, { credentials: undefined }).snapshot.keyring };
  const scanner = new FakeScanner();
  const redeemer = new Redeemer({ keys, ledger, clock: systemClock, logger, terminalId: 'bench', claims });
  const kiosk = new Kiosk({ scanner, display: new FakeDisplay(), indicator: new FakeIndicator(), redeemer, ledger, clock: systemClock, logger, config: { verdictScreenMs: 60_000 } });
  await kiosk.start();
  const samples: number[] = [];
  for (const [i, text] of texts.entries()) {
    const verdict = once(kiosk, 'verdict');
    const t0 = performance.now();
    scanner.emitLine(text);
    const [v] = await verdict;
    if (i >= WARMUP) samples.push(performance.now() - t0);
    if (v.kind !== 'verdict' || v.reason !== 'ACCEPTED') throw new Error(`bench: ${v.kind === 'verdict' ? v.reason : v.code}: ${v.message}`);
  }
  await kiosk.stop();
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p99: pct(samples, 99) };
}

export async function run(): Promise<string> {
  const dir = tempDir('bench-claims-');
  const data = await preparedDataDir();
  const serve = await spawnServe(['--data', data, '--platform-id', 'plat-bench']);
  try {
    const token = readFileSync(path.join(data, 'admin-token'), 'utf8').trim();
    const post = (route: string, body: unknown) => () => fetch(`${serve.url}/v1/admin${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const admin = async (route: string, body: unknown): Promise<Record<string, unknown>> => {
      // once more on a kept-alive socket the server closed while this process was blocked (the enroll below is synchronous)
      const r = await post(route, body)().catch(post(route, body));
      if (r.status !== 201) throw new Error(`${route}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Record<string, unknown>;
    };
    await admin('/merchants', { merchantId: MERCHANT, claimMode: 'online-required' });
    await admin('/merchants/shop-bench/branches', { branchId: 'north' });
    const t = await admin('/enrollment-tokens', { merchantId: MERCHANT, branchId: 'north' });
    const home = path.join(dir, 'home');
    execFileSync(process.execPath, [KIOSK_CLI, 'provision', 'enroll', '--home', home, '--url', serve.url, '--token', String(t['token']), '--expect-platform-kid', String(t['platformKid']), '--json'], { stdio: 'ignore' });
    const issue = async (n: number): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(String((await admin('/coupons', { aud: MERCHANT, sub: `u-${i}`, product: 'sku-1', quantity: 1, iat: new Date(Date.now() - 3600_000).toISOString() }))['text']));
      return out;
    };
    const config = parseConfig({}, { home }).claims;
    const enrolled = loadHomeKeys(home, { credentials: undefined }).enrolled;
    const online = buildClaims({ platforms: () => enrolled, config, logger: silentLogger() });
    const offline: ClaimDeps = { claimer: online.claimer, policy: () => claimPolicy(undefined, config) };
    if (online.policy('plat-bench').mode !== 'online-required') throw new Error('bench: the enrolled merchant is not online-required');
    const [offTexts, onTexts] = [await issue(N + WARMUP), await issue(N + WARMUP)];
    const off = await scanAll(home, path.join(dir, 'offline.sqlite'), offline, offTexts);
    const on = await scanAll(home, path.join(dir, 'online.sqlite'), online, onTexts);
    await online.claimer.close();
    return [
      `${N} distinct coupons per mode (after ${WARMUP} unmeasured) through the Kiosk with the same enrolled home; online-required claims each on \`coupon-platform serve\` (PGlite, a separate process) on loopback over the signed transport, the answer's signature verified, before the ledger commit.`,
      '',
      '| mode | p50 ms | p99 ms | p99 − offline p99 | target |',
      '| --- | ---: | ---: | ---: | --- |',
      `| offline (redeem locally) | ${fmt(off.p50)} | ${fmt(off.p99)} | | |`,
      `| online-required (claim, then commit) | ${fmt(on.p50)} | ${fmt(on.p99)} | ${fmt(on.p99 - off.p99)} ms | ≤ 15 ms |`,
      '',
    ].join('\n');
  } finally {
    await serve.stop();
    rmSync(data, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
